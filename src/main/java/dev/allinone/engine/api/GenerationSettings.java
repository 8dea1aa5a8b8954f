package dev.allinone.engine.api;

import dev.allinone.engine.constraint.JsonSchema;

import java.util.List;

/**
 * What to generate: the sampling settings, a cap on new tokens (the prompt does not count), stop sequences
 * (text that ends the answer and is not part of it), and the JSON schema the answer must be a value of (null:
 * free text). A schema's answer is compact JSON; stop sequences do not apply to it (they could cut the JSON).
 *
 * <p>With {@code orText}, the answer is either a value of the schema, written after the schema's opening (a tool
 * call), or free text that leaves that opening; the decision is the model's, token by token. Such an answer is
 * not streamed until it is known to be text, and a value that begins with an opening is not streamed at all.
 */
public record GenerationSettings(SamplingSettings sampling, int maxNewTokens, List<String> stopSequences,
                                 JsonSchema schema, boolean orText) {

    public GenerationSettings(SamplingSettings sampling, int maxNewTokens, List<String> stopSequences) {
        this(sampling, maxNewTokens, stopSequences, null, false);
    }

    public GenerationSettings(SamplingSettings sampling, int maxNewTokens, List<String> stopSequences,
                              JsonSchema schema) {
        this(sampling, maxNewTokens, stopSequences, schema, false);
    }

    public GenerationSettings {
        stopSequences = stopSequences == null ? List.of() : List.copyOf(stopSequences);
        if (orText && (schema == null || schema.opening().length == 0)) {
            throw new IllegalArgumentException("Text or a value needs a schema whose answers begin with an opening");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, was " + maxNewTokens);
        }
    }
}
