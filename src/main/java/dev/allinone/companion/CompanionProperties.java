package dev.allinone.companion;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The companion's memory ({@code allinone.companion.*}).
 *
 * @param memoryWindow     most messages (user and assistant, the new one included) the companion sees on a turn,
 *                         besides its system prompt; past it the oldest half is forgotten at once
 * @param memoryTokens     most tokens of remembered messages; past it the oldest are forgotten until half is used
 * @param maxConversations live conversations kept; beyond it the least recently used is forgotten
 * @param idleExpiry       a conversation nobody touched for this long is forgotten
 * @param historyLimit     messages of a conversation kept for GET /api/conversations/{id}
 */
@Validated
@ConfigurationProperties("allinone.companion")
public record CompanionProperties(
        @DefaultValue("20") @Min(2) @Max(1000) int memoryWindow,
        @DefaultValue("2560") @Min(64) int memoryTokens,
        @DefaultValue("10000") @Min(1) long maxConversations,
        @DefaultValue("30m") @NotNull Duration idleExpiry,
        @DefaultValue("200") @Min(1) int historyLimit) {
}
