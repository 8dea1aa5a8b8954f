package dev.allinone.engine;

import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.engine.scheduling.BatchPlan;
import dev.allinone.engine.transformer.Transformer;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How the engine runs the model ({@code allinone.engine.*}): which kernels and weight format, how long a sequence
 * may be, how requests wait for the one model, and the one memory budget everything comes out of.
 *
 * @param weightFormat  weights in memory: Q4KM (the default with allinone's kernels: 4-bit with fitted scales and
 *                      offsets per 16 weights, attention's value and output projections at 8 bits), Q4K, Q4
 *                      (blockwise 4-bit; the default with Jlama's kernels, which have no other 4-bit format), Q8,
 *                      or BF16 as published
 * @param kernels       whose kernels run the model: allinone's own (the default) or Jlama's (the reference)
 * @param threads       threads for the matrix products; 0 means one per available processor
 * @param contextLimit  longest sequence (prompt plus answer) in tokens; bounds KV-cache memory
 * @param maxNewTokens  default cap on generated tokens when a request sets none
 * @param queueCapacity requests that may wait for the model; one more is refused at once (503, Retry-After)
 * @param queueTimeout  a request that waited this long without starting is refused (503)
 * @param memoryBudget  all of the model's memory: weights, working memory, attention state of running requests
 *                      and of those kept for reuse; 0 means the JVM's heap less 256 MB for the application
 * @param kvCacheBudget at most this much memory for attention state kept between requests (system prompts,
 *                      conversations), within what the memory budget leaves; unset: whatever it leaves; 0 turns
 *                      reuse off
 * @param warmUp        once the application is ready, compile the kernels and compute the AI services' system
 *                      prompts in the background, so that the first customer does not wait for it
 * @param batch         how many requests share the model's steps (continuous batching)
 * @param quality       what a quantized weight format costs, and the most it may cost
 */
@Validated
@ConfigurationProperties("allinone.engine")
public record EngineProperties(
        WeightFormat weightFormat,
        @DefaultValue("allinone") @NotNull Kernels kernels,
        @DefaultValue("0") @Min(0) @Max(1024) int threads,
        @DefaultValue("4096") @Min(64) @Max(32768) int contextLimit,
        @DefaultValue("256") @Min(1) @Max(32768) int maxNewTokens,
        @DefaultValue("16") @Min(0) @Max(100_000) int queueCapacity,
        @DefaultValue("30s") @NotNull Duration queueTimeout,
        @DefaultValue("0") @NotNull DataSize memoryBudget,
        DataSize kvCacheBudget,
        @DefaultValue("true") boolean warmUp,
        @DefaultValue @NotNull @Valid Batch batch,
        @DefaultValue @NotNull @Valid Quality quality) {

    public EngineProperties {
        if (weightFormat == null) {
            weightFormat = kernels == Kernels.JLAMA ? WeightFormat.Q4 : WeightFormat.Q4KM;
        }
    }

    /**
     * What a quantized weight format costs ({@code allinone.engine.quality.*}), measured against the checkpoint's
     * own BF16 weights on a calibration text shipped with the project (allinone's kernels).
     *
     * @param report        measure the chosen format once, after its first quantization, and keep the report beside
     *                      the quantized copy (the BF16 reference is read in place: no extra heap)
     * @param maxLogitError the largest acceptable logit RMS error, relative to the logits' spread (0.1 = 10%); a
     *                      format above it is not served, the next more precise one is (Q4, Q4K, Q4KM, Q8, BF16). Unset:
     *                      no guard
     */
    public record Quality(
            @DefaultValue("true") boolean report,
            @DecimalMin("0") @DecimalMax("10") Double maxLogitError) {
    }

    /**
     * Continuous batching ({@code allinone.engine.batch.*}): every step of the model is one forward pass over the
     * rows of every request in the batch.
     *
     * @param maxSequences most requests in the batch at once; more wait (within {@code queue-capacity}). 1 serves
     *                     one request at a time
     * @param stepTokens   most tokens per step, all requests together: an answer being generated takes one, a
     *                     prompt being read takes a chunk of what is left, so a long prompt holds the others up
     *                     for at most one step of this many tokens. At least {@code max-sequences}
     */
    public record Batch(
            @DefaultValue("8") @Min(1) @Max(16) int maxSequences,
            @DefaultValue("128") @Min(1) @Max(256) int stepTokens) {

        @AssertTrue(message = "allinone.engine.batch.step-tokens must be at least allinone.engine.batch.max-sequences "
                + "(every request in the batch gets a token of every step)")
        public boolean isStepTokensEnoughForEverySequence() {
            return stepTokens >= maxSequences;
        }
    }

    /** The batch's limits for {@code transformer}, whose steps may be smaller than asked for. */
    public BatchPlan batchPlan(Transformer transformer) {
        int tokens = Math.min(batch.stepTokens(), transformer.maxStepTokens());
        return new BatchPlan(Math.min(batch.maxSequences(), tokens), tokens);
    }


    /** The thread count to use: {@link #threads}, or every available processor when it is 0. */
    public int effectiveThreads() {
        return threads > 0 ? Math.min(threads, Runtime.getRuntime().availableProcessors())
                : Runtime.getRuntime().availableProcessors();
    }

    /** The cap on kept attention state in bytes: {@link Long#MAX_VALUE} when unset. */
    public long kvCacheBudgetBytes() {
        return kvCacheBudget == null ? Long.MAX_VALUE : kvCacheBudget.toBytes();
    }
}
