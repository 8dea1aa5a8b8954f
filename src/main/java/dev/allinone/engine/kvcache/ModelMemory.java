package dev.allinone.engine.kvcache;

import dev.allinone.engine.api.EngineSetupException;
import dev.allinone.engine.transformer.Transformer;

import java.util.Locale;

/**
 * The one budget every byte of the model's memory comes out of: the weights and the forward pass's working
 * memory, fixed at load, and attention state (the KV caches of running requests and those kept for reuse),
 * which the {@link KvCachePool} hands out within {@link #forAttention()} and checks before a request starts.
 *
 * <p>The budget is {@code allinone.engine.memory-budget}, by default the JVM's heap less {@value #APPLICATION_MB}
 * MB for the rest of the application. At startup it must hold the weights, the working memory and one sequence
 * at the full context limit; otherwise startup stops and says what to change, instead of a request running out
 * of memory later.
 */
public record ModelMemory(long budget, long weights, long working, long fullSequence, String budgetSource) {

    /** What the default budget leaves the rest of the application (Spring, Tomcat, requests, conversations). */
    static final long APPLICATION_MB = 256;
    private static final long MB = 1024 * 1024;

    /**
     * Plans the budget for a loaded transformer.
     *
     * @param configured   {@code allinone.engine.memory-budget} in bytes; 0 for the default
     * @param maxHeap      the JVM's heap limit ({@link Runtime#maxMemory()})
     * @param contextLimit the longest sequence a request may have
     * @throws EngineSetupException when the budget cannot hold the model and one sequence at the context limit
     */
    public static ModelMemory plan(long configured, long maxHeap, Transformer transformer, int contextLimit) {
        long weights = transformer.weightBytes();
        long working = transformer.workingBytes(contextLimit);
        long fullSequence = transformer.kvBytes(contextLimit);
        long needed = weights + working + fullSequence;
        boolean heapKnown = maxHeap != Long.MAX_VALUE;
        String heap = heapKnown ? mb(maxHeap) : "unlimited";
        if (configured > 0 && heapKnown && configured > maxHeap) {
            throw new EngineSetupException("allinone.engine.memory-budget is " + mb(configured) + ", more than the JVM's "
                    + "whole heap (" + heap + "): the model would run out of memory under load.",
                    "Give the JVM a larger heap (-Xmx), or lower allinone.engine.memory-budget to at most the heap less "
                    + "what the application needs (the default is the heap less " + APPLICATION_MB + " MB).");
        }
        long budget;
        String source;
        if (configured > 0) {
            budget = configured;
            source = "allinone.engine.memory-budget";
        } else if (heapKnown) {
            budget = maxHeap - APPLICATION_MB * MB;
            source = "heap " + heap + " less " + APPLICATION_MB + " MB";
        } else {
            budget = needed + 2 * fullSequence;
            source = "no heap limit: weights, working memory and three full sequences";
        }
        if (needed > budget) {
            long heapNeeded = (needed + APPLICATION_MB * MB + 127 * MB) / (128 * MB) * 128; // MB, rounded up
            throw new EngineSetupException(String.format(Locale.ROOT, "The model needs %s of memory: weights %s, working "
                            + "memory %s, and attention state for one sequence at the context limit (%d tokens) %s; the memory "
                            + "budget is %s (%s).", mb(needed), mb(weights), mb(working), contextLimit, mb(fullSequence),
                    mb(budget), source),
                    "Start the JVM with a larger heap (at least -Xmx" + heapNeeded + "m with the default budget), or lower "
                    + "allinone.engine.context-limit, or use a smaller weight format (allinone.engine.weight-format=q4).");
        }
        return new ModelMemory(budget, weights, working, fullSequence, source);
    }

    /** What attention state, running and kept, may take. */
    public long forAttention() {
        return budget - weights - working;
    }

    /** One line for the startup log. */
    public String summary() {
        return String.format(Locale.ROOT, "memory budget %s (%s): weights %s, working %s, attention state up to %s "
                + "(a sequence at the context limit takes %s)", mb(budget), budgetSource, mb(weights), mb(working),
                mb(forAttention()), mb(fullSequence));
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%d MB", (bytes + MB / 2) / MB);
    }
}
