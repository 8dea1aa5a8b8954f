package dev.allinone.engine.generation;

import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * A long prompt computed a chunk at a time, so that a request whose deadline passes or whose client goes away
 * stops within one chunk (~0.7 s at Qwen1.5-0.5B's size) rather than after its whole prompt (up to ~25 s at the
 * context limit). The last chunk is left to the caller, which wants its logits (all, or a few rows).
 */
public final class ChunkedPrefill {

    /** Tokens per chunk: long enough that the batched products stay efficient. */
    static final int CHUNK = 128;

    private ChunkedPrefill() {
    }

    /**
     * Computes {@code tokens} (at positions from {@code start}) but the last chunk, computing no logits, and checks
     * {@code stop} before each chunk.
     *
     * @return the position where the rest (at most {@value #CHUNK} tokens) begins, or -1 if {@code stop} said so
     */
    static int leading(Transformer transformer, KvCache cache, int start, int[] tokens, BooleanSupplier stop) {
        int done = 0;
        while (tokens.length - done > CHUNK) {
            if (stop.getAsBoolean()) {
                return -1;
            }
            transformer.prefillRows(cache, start + done, Arrays.copyOfRange(tokens, done, done + CHUNK), new int[0]);
            done += CHUNK;
        }
        return start + done;
    }
}
