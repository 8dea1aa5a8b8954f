package dev.allinone.web;

import dev.allinone.web.errors.InputTooLongException;
import dev.langchain4j.model.TokenCountEstimator;

/** Checks input length in tokens, the unit the model's limits are in. */
class InputLimits {

    private final TokenCountEstimator tokens;
    private final int maxInputTokens;

    InputLimits(TokenCountEstimator tokens, ApiProperties properties) {
        this.tokens = tokens;
        this.maxInputTokens = properties.maxInputTokens();
    }

    void check(String field, String text) {
        int count = tokens.estimateTokenCountInText(text);
        if (count > maxInputTokens) {
            throw new InputTooLongException(field, count, maxInputTokens);
        }
    }
}
