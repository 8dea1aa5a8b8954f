package dev.allinone.companion;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The companion's memory ({@code allinone.companion.*}); where conversations are kept is
 * {@code allinone.conversations.*}.
 *
 * @param memoryWindow most messages (user and assistant, the new one included) the companion sees on a turn,
 *                     besides its system prompt; past it the oldest half is forgotten at once
 * @param memoryTokens most tokens of remembered messages; past it the oldest are forgotten until half is used
 */
@Validated
@ConfigurationProperties("allinone.companion")
public record CompanionProperties(
        @DefaultValue("20") @Min(2) @Max(1000) int memoryWindow,
        @DefaultValue("2560") @Min(64) int memoryTokens) {
}
