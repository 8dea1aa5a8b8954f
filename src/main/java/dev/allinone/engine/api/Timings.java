package dev.allinone.engine.api;

/**
 * Where a request's time went, in nanoseconds: waiting for the model, reading the prompt (prefill), and
 * producing the answer (decode). {@code firstTokenNanos} counts from submission to the first token.
 */
public record Timings(long queuedNanos, long prefillNanos, long decodeNanos, long firstTokenNanos) {

    public double decodeTokensPerSecond(int outputTokens) {
        // The first token comes out of the prefill; the decode loop produced the rest.
        return decodeNanos > 0 && outputTokens > 1 ? (outputTokens - 1) / (decodeNanos / 1e9) : 0;
    }
}
