package dev.allinone.extraction;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The ticket extractor ({@code allinone.extraction.*}).
 *
 * @param maxTokens most tokens of a ticket: past them the engine closes the JSON with the shortest valid rest
 *                  (lists closed, missing fields null), so a long summary never costs more than this
 */
@Validated
@ConfigurationProperties("allinone.extraction")
public record ExtractionProperties(@DefaultValue("160") @Min(40) @Max(2048) int maxTokens) {
}
