package dev.allinone.engine;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Admission to the one model and its memory ({@code allinone.engine.*}): requests wait in a bounded queue while
 * another one runs, and every byte of model memory comes out of one budget.
 *
 * @param queueCapacity requests that may wait for the model; one more is refused at once (503, Retry-After)
 * @param queueTimeout  a request that waited this long without starting is refused (503)
 * @param memoryBudget  all of the model's memory: weights, working memory, attention state of running requests
 *                      and of those kept for reuse; 0 means the JVM's heap less 256 MB for the application
 * @param warmUp        once the application is ready, compile the kernels and compute the AI services' system
 *                      prompts in the background, so that the first customer does not wait for it
 */
@Validated
@ConfigurationProperties("allinone.engine")
public record EngineProperties(
        @DefaultValue("16") @Min(0) @Max(100_000) int queueCapacity,
        @DefaultValue("30s") @NotNull Duration queueTimeout,
        @DefaultValue("0") @NotNull DataSize memoryBudget,
        @DefaultValue("true") boolean warmUp) {

    @ConstructorBinding
    public EngineProperties {
    }

    /** With the default memory budget (the heap less 256 MB). */
    public EngineProperties(int queueCapacity, Duration queueTimeout) {
        this(queueCapacity, queueTimeout, DataSize.ofBytes(0), true);
    }
}
