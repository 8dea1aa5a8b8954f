package dev.allinone.web;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The REST API ({@code allinone.api.*}).
 *
 * @param enabled         serve /api/** (off unless set in an application that uses allinone as a library; the
 *                        service turns it on)
 * @param maxInputTokens  longest text or message accepted, in tokens of the model's tokenizer
 * @param retryAfter      seconds a client is told to wait when the model is not ready or busy
 * @param timeout         a request's deadline unless it asks for a shorter one (header Request-Timeout)
 * @param maxTimeout      the longest deadline a request may ask for
 * @param maxBodySize     largest request body accepted, checked before reading or tokenizing it
 * @param maxConcurrentPerClient requests one client (its API key, or its remote address when keys are
 *                               off) may have in flight; 0 for no limit
 */
@Validated
@ConfigurationProperties("allinone.api")
public record ApiProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("512") @Min(1) int maxInputTokens,
        @DefaultValue("10") @Min(1) int retryAfter,
        @DefaultValue("120s") @NotNull Duration timeout,
        @DefaultValue("600s") @NotNull Duration maxTimeout,
        @DefaultValue("64KB") @NotNull DataSize maxBodySize,
        @DefaultValue("0") @Min(0) int maxConcurrentPerClient) {
}
