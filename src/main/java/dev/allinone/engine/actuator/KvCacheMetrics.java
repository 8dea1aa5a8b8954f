package dev.allinone.engine.actuator;

import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.kvcache.KvCacheStats;
import dev.allinone.engine.kvcache.ModelMemory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.ToDoubleFunction;

/**
 * The KV reuse pool's meters: how much prompt computation it saved and what it holds; and how many requests
 * wait for the model. A continued conversation that had to be computed in full (its memory dropped old
 * messages, or its state was evicted) counts in {@code allinone.kvcache.conversation.misses}.
 */
public class KvCacheMetrics implements MeterBinder {

    private final LocalEngine engine;

    public KvCacheMetrics(LocalEngine engine) {
        this.engine = engine;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        requests(registry, "conversation", "continued a cached conversation: computed only the new turn",
                KvCacheStats::conversationHits);
        requests(registry, "prefix", "started from a cached system prompt", KvCacheStats::prefixHits);
        requests(registry, "none", "computed the whole prompt", KvCacheStats::misses);
        FunctionCounter.builder("allinone.kvcache.conversation.misses", engine, e -> e.kvCacheStats().conversationMisses())
                .description("Requests continuing a conversation that found no cached state and computed it all")
                .register(registry);
        FunctionCounter.builder("allinone.kvcache.reused.tokens", engine, e -> e.kvCacheStats().reusedTokens())
                .description("Prompt tokens not computed thanks to the KV reuse pool").register(registry);
        FunctionCounter.builder("allinone.kvcache.evictions", engine, e -> e.kvCacheStats().evictions())
                .description("Cached states dropped to make room within the memory budget (or allinone.engine.kv-cache-budget)").register(registry);
        Gauge.builder("allinone.kvcache.bytes", engine, e -> e.kvCacheStats().bytes()).baseUnit("bytes")
                .description("Memory the KV reuse pool holds").register(registry);
        Gauge.builder("allinone.kvcache.entries", engine, e -> e.kvCacheStats().entries())
                .description("States the KV reuse pool holds").register(registry);
        memory(registry, "budget", m -> m.budget());
        memory(registry, "weights", m -> m.weights());
        memory(registry, "working", m -> m.working());
        Gauge.builder("allinone.engine.memory.bytes", engine, e -> e.kvCacheStats().bytes()).baseUnit("bytes")
                .tag("part", "attention_kept").description("Model memory, out of allinone.engine.memory-budget")
                .register(registry);
        Gauge.builder("allinone.engine.memory.bytes", engine, e -> e.kvCacheStats().leasedBytes()).baseUnit("bytes")
                .tag("part", "attention_running").description("Model memory, out of allinone.engine.memory-budget")
                .register(registry);
        Gauge.builder("allinone.engine.queue.depth", engine, LocalEngine::waiting)
                .description("Requests waiting for the model").register(registry);
    }

    private void memory(MeterRegistry registry, String part, ToDoubleFunction<ModelMemory> bytes) {
        Gauge.builder("allinone.engine.memory.bytes", engine, e -> e.isReady() ? bytes.applyAsDouble(e.memory()) : 0)
                .baseUnit("bytes").tag("part", part).description("Model memory, out of allinone.engine.memory-budget")
                .register(registry);
    }

    private void requests(MeterRegistry registry, String reuse, String description, ToDoubleFunction<KvCacheStats> count) {
        FunctionCounter.builder("allinone.kvcache.requests", engine, e -> count.applyAsDouble(e.kvCacheStats()))
                .tag("reuse", reuse)
                .description("Model requests that " + description)
                .register(registry);
    }
}
