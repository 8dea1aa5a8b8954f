package dev.allinone.engine.api;

import java.util.Map;

/**
 * A choice among fixed answers: the most probable one and each answer's probability under the model,
 * normalized over the answers (they sum to 1), in the order given; {@code cachedTokens} prompt tokens were
 * reused rather than computed.
 */
public record ChoiceResult(String choice, Map<String, Double> probabilities, int promptTokens, int cachedTokens,
                           Timings timings) {
}
