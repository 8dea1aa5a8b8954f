package dev.allinone.engine.api;

import dev.allinone.engine.constraint.JsonSchema;

import java.util.List;

/**
 * What to generate: the sampling settings, a cap on new tokens (the prompt does not count), stop sequences
 * (text that ends the answer and is not part of it), and the JSON schema the answer must be a value of (null:
 * free text). A schema's answer is compact JSON; stop sequences do not apply to it (they could cut the JSON).
 */
public record GenerationSettings(SamplingSettings sampling, int maxNewTokens, List<String> stopSequences,
                                 JsonSchema schema) {

    public GenerationSettings(SamplingSettings sampling, int maxNewTokens, List<String> stopSequences) {
        this(sampling, maxNewTokens, stopSequences, null);
    }

    public GenerationSettings {
        stopSequences = stopSequences == null ? List.of() : List.copyOf(stopSequences);
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, was " + maxNewTokens);
        }
    }
}
