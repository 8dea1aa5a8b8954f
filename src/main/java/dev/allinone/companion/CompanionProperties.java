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
 * @param memoryWindow     messages (user and assistant, the new one included) the companion sees on each turn,
 *                         besides its system prompt
 * @param maxConversations live conversations kept; beyond it the least recently used is forgotten
 * @param idleExpiry       a conversation nobody touched for this long is forgotten
 * @param historyLimit     messages of a conversation kept for GET /api/conversations/{id}
 */
@Validated
@ConfigurationProperties("allinone.companion")
public record CompanionProperties(
        @DefaultValue("8") @Min(1) @Max(1000) int memoryWindow,
        @DefaultValue("10000") @Min(1) long maxConversations,
        @DefaultValue("30m") @NotNull Duration idleExpiry,
        @DefaultValue("200") @Min(1) int historyLimit) {
}
