package dev.allinone.model;

import dev.allinone.engine.Kernels;
import dev.allinone.engine.transformer.WeightFormat;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/**
 * The one model the service runs ({@code allinone.model.*}).
 *
 * @param id             Hugging Face model id, owner/name
 * @param revision       branch, tag or commit on the hub
 * @param modelsDir      where model directories live; the model is <models-dir>/<owner>_<name>
 * @param hubUrl         Hugging Face hub (or a mirror that serves the same URLs)
 * @param hubToken       access token for gated or private models; empty for public ones
 * @param offline        never download: a missing model stops startup with instructions
 * @param downloadTimeout how long a download may stall (connect or read) before it fails
 * @param weightFormat   weights as published (BF16), or blockwise 8- or 4-bit
 * @param kernels        whose kernels run the model: allinone's own (the default) or Jlama's (the reference)
 * @param threads        threads for the matrix products; 0 means one per available processor
 * @param contextLimit   longest sequence (prompt plus answer) in tokens; bounds KV-cache memory
 * @param maxNewTokens   default cap on generated tokens when a request sets none
 * @param kvCacheBudget  at most this much memory for attention state kept between requests (system prompts,
 *                       conversations), within what the engine's memory budget leaves; unset: whatever it
 *                       leaves; 0 turns reuse off
 */
@Validated
@ConfigurationProperties("allinone.model")
public record ModelProperties(
        @DefaultValue("Qwen/Qwen1.5-0.5B-Chat")
        @NotBlank @Pattern(regexp = "[\\w.-]+/[\\w.-]+", message = "must look like owner/name") String id,
        @DefaultValue("main") @NotBlank @Pattern(regexp = "[\\w./-]+") String revision,
        @DefaultValue("./models") @NotNull Path modelsDir,
        @DefaultValue("https://huggingface.co") @NotNull URI hubUrl,
        String hubToken,
        @DefaultValue("false") boolean offline,
        @DefaultValue("60s") @NotNull Duration downloadTimeout,
        @DefaultValue("q4") @NotNull WeightFormat weightFormat,
        @DefaultValue("0") @Min(0) @Max(1024) int threads,
        @DefaultValue("4096") @Min(64) @Max(32768) int contextLimit,
        @DefaultValue("256") @Min(1) @Max(32768) int maxNewTokens,
        DataSize kvCacheBudget,
        @DefaultValue("allinone") @NotNull Kernels kernels) {

    /** The thread count to use: {@link #threads}, or every available processor when it is 0. */
    public int effectiveThreads() {
        return threads > 0 ? Math.min(threads, Runtime.getRuntime().availableProcessors())
                : Runtime.getRuntime().availableProcessors();
    }

    /** The cap on kept attention state in bytes: {@link Long#MAX_VALUE} when unset. */
    public long kvCacheBudgetBytes() {
        return kvCacheBudget == null ? Long.MAX_VALUE : kvCacheBudget.toBytes();
    }

    public ModelDirectory directory() {
        return ModelDirectory.of(modelsDir, id);
    }
}
