package dev.allinone.web;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The REST API ({@code allinone.api.*}).
 *
 * @param enabled         serve /api/**; turn off when embedding the starter in another app
 * @param maxInputTokens  longest text or message accepted, in tokens of the model's tokenizer
 * @param retryAfter      seconds a client is told to wait when the model is not ready yet
 */
@Validated
@ConfigurationProperties("allinone.api")
public record ApiProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("512") @Min(1) int maxInputTokens,
        @DefaultValue("10") @Min(1) int retryAfter) {
}
