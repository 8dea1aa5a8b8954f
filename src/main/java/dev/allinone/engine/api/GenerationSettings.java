package dev.allinone.engine.api;

import java.util.List;

/**
 * What to generate: the sampling settings, a cap on new tokens (the prompt does not count) and stop sequences
 * (text that ends the answer and is not part of it).
 */
public record GenerationSettings(SamplingSettings sampling, int maxNewTokens, List<String> stopSequences) {

    public GenerationSettings {
        stopSequences = stopSequences == null ? List.of() : List.copyOf(stopSequences);
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, was " + maxNewTokens);
        }
    }
}
