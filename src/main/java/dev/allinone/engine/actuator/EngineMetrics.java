package dev.allinone.engine.actuator;

import dev.allinone.engine.api.ChoiceResult;
import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.Timings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;

/**
 * What the engine does, as Micrometer meters: time waited for the model, time to first token, time per task,
 * prompt / cached / generated tokens, decode speed, requests refused or dropped by cause, and per step of the
 * batch its size, tokens and time. Until bound to a
 * registry it records nothing.
 */
public class EngineMetrics implements EngineObserver, MeterBinder {

    private volatile MeterRegistry registry;
    private Timer queueWait;
    private Timer timeToFirstToken;
    private Timer generation;
    private Timer choice;
    private Counter promptTokens;
    private Counter cachedTokens;
    private Counter generatedTokens;
    private DistributionSummary decodeRate;
    private DistributionSummary batchSize;
    private DistributionSummary stepTokens;
    private Timer step;

    @Override
    public void bindTo(MeterRegistry registry) {
        queueWait = Timer.builder("allinone.engine.queue.wait").description("Time a request waited for the model")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
        timeToFirstToken = Timer.builder("allinone.engine.ttft").description("Submission to first generated token")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
        generation = Timer.builder("allinone.engine.task").tag("task", "generate")
                .description("Time on the model per task").publishPercentiles(0.5, 0.95, 0.99).register(registry);
        choice = Timer.builder("allinone.engine.task").tag("task", "choose")
                .description("Time on the model per task").publishPercentiles(0.5, 0.95, 0.99).register(registry);
        promptTokens = Counter.builder("allinone.engine.tokens").tag("kind", "prompt").register(registry);
        cachedTokens = Counter.builder("allinone.engine.tokens").tag("kind", "cached").register(registry);
        generatedTokens = Counter.builder("allinone.engine.tokens").tag("kind", "generated").register(registry);
        decodeRate = DistributionSummary.builder("allinone.engine.decode.rate").baseUnit("tokens/s")
                .description("Decode speed of each answer").register(registry);
        batchSize = DistributionSummary.builder("allinone.engine.batch.size").baseUnit("sequences")
                .description("Requests served by each step of the model").publishPercentiles(0.5, 0.95).register(registry);
        stepTokens = DistributionSummary.builder("allinone.engine.batch.tokens").baseUnit("tokens")
                .description("Tokens (rows) computed by each step of the model").publishPercentiles(0.5, 0.95)
                .register(registry);
        step = Timer.builder("allinone.engine.batch.step").description("Time of each step of the model")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
        this.registry = registry;
    }

    @Override
    public void stepped(int sequences, int tokens, long nanos) {
        if (registry != null) {
            batchSize.record(sequences);
            stepTokens.record(tokens);
            step.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void started(long waitedNanos) {
        if (registry != null) {
            queueWait.record(Duration.ofNanos(waitedNanos));
        }
    }

    @Override
    public void generated(GenerationResult result) {
        if (registry == null) {
            return;
        }
        Timings t = result.timings();
        generation.record(Duration.ofNanos(t.prefillNanos() + t.decodeNanos()));
        if (result.outputTokens() > 0) {
            timeToFirstToken.record(Duration.ofNanos(t.firstTokenNanos()));
        }
        promptTokens.increment(result.promptTokens());
        cachedTokens.increment(result.cachedTokens());
        generatedTokens.increment(result.outputTokens());
        double rate = t.decodeTokensPerSecond(result.outputTokens());
        if (rate > 0) {
            decodeRate.record(rate);
        }
    }

    @Override
    public void chose(ChoiceResult result) {
        if (registry == null) {
            return;
        }
        choice.record(Duration.ofNanos(result.timings().prefillNanos() + result.timings().decodeNanos()));
        promptTokens.increment(result.promptTokens());
        cachedTokens.increment(result.cachedTokens());
    }

    @Override
    public void rejected(String cause) {
        MeterRegistry r = registry;
        if (r != null) {
            r.counter("allinone.engine.rejected", "cause", cause).increment();
        }
    }
}
