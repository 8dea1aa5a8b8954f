package dev.allinone.openai;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The OpenAI-compatible API ({@code allinone.openai.*}).
 *
 * @param enabled serve /v1/chat/completions and /v1/models
 * @param modelId the model name /v1/models lists and answers carry; empty for allinone.model.id (requests may
 *                name any model: there is one)
 */
@ConfigurationProperties("allinone.openai")
public record OpenAiProperties(
        @DefaultValue("true") boolean enabled,
        String modelId) {
}
