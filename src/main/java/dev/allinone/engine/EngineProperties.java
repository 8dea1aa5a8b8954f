package dev.allinone.engine;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Admission to the one model ({@code allinone.engine.*}): requests wait in a bounded queue while another one
 * runs.
 *
 * @param queueCapacity requests that may wait for the model; one more is refused at once (503, Retry-After)
 * @param queueTimeout  a request that waited this long without starting is refused (503)
 */
@Validated
@ConfigurationProperties("allinone.engine")
public record EngineProperties(
        @DefaultValue("16") @Min(0) @Max(100_000) int queueCapacity,
        @DefaultValue("30s") @NotNull Duration queueTimeout) {
}
