package dev.allinone.engine.constraint;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.Set;

/**
 * One answer held to a JSON schema: before each token, every token that cannot continue the value gets no
 * chance ({@link #restrict}); the end of turn only once the value is complete; and when the token budget would
 * not hold the value's shortest completion after the chosen token, that completion is written instead
 * ({@link #next}), so the answer is valid JSON even when cut short.
 */
public final class JsonConstraint {

    private final TokenMask mask;
    private final Set<Integer> endTokens;
    private final int endToken;
    private JsonMatcher state;
    private final Deque<Integer> forced = new ArrayDeque<>();
    private boolean cut;

    public JsonConstraint(JsonSchema schema, TokenMask mask, Set<Integer> endTokens) {
        this.mask = mask;
        this.endTokens = endTokens;
        this.endToken = endTokens.iterator().next();
        this.state = schema.start();
    }

    /** Tokens of the schema's shortest value: the least budget an answer needs. */
    public int shortestAnswer() {
        return mask.tokens(state.completion()).length;
    }

    /** Whether the next token is already decided (the budget's completion is being written). */
    public boolean forcing() {
        return !forced.isEmpty() || state.finished();
    }

    /** Sets the logits of every token that cannot come next to -infinity. */
    public void restrict(float[] logits) {
        BitSet allowed = mask.allowed(state);
        if (state.complete()) {
            for (int end : endTokens) {
                allowed.set(end);
            }
        }
        for (int i = allowed.nextClearBit(0); i < logits.length; i = allowed.nextClearBit(i + 1)) {
            logits[i] = Float.NEGATIVE_INFINITY;
        }
    }

    /**
     * The token to emit, given the sampled one and how many tokens the budget still holds (this one included):
     * the sampled token if the shortest completion after it still fits, else the first token of the current
     * state's completion (and the rest of it after).
     */
    public int next(int sampled, int budget) {
        if (!forced.isEmpty()) {
            return forced.poll();
        }
        if (state.finished()) {
            return endToken;
        }
        if (endTokens.contains(sampled) && state.complete()) {
            return sampled;
        }
        JsonMatcher after = mask.bytes(sampled) == null ? null : state.feed(mask.bytes(sampled));
        if (after != null) {
            byte[] rest = after.completion();
            if (rest.length < budget || mask.tokens(rest).length < budget) {
                return sampled;
            }
        }
        // Over budget, or (should the sampler ever pick a token of probability 0) not allowed: close the value.
        cut = true;
        for (int token : mask.tokens(state.completion())) {
            forced.add(token);
        }
        return forced.isEmpty() ? endToken : forced.poll();
    }

    /**
     * The tokens that must come next whatever the model would pick (the rest of a key, punctuation, the rest of
     * an enum value once one value is left): the bytes with a single continuation, as tokens. Appended without
     * sampling and computed in one step. Empty while the budget's completion is being written (that queue
     * decides), once the value could end here, and when the stretch and the shortest rest after it would not fit
     * in {@code room} tokens (then tokens come one at a time, and the budget closes the value as usual).
     */
    public int[] stretch(int room) {
        if (!forced.isEmpty()) {
            return new int[0];
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        JsonMatcher m = state;
        while (!m.complete()) {
            JsonMatcher only = null;
            int onlyByte = -1;
            for (int b = 0; b < 256; b++) {
                JsonMatcher next = m.feed(b);
                if (next != null) {
                    if (only != null) {
                        only = null;
                        break;
                    }
                    only = next;
                    onlyByte = b;
                }
            }
            if (only == null) {
                break;
            }
            bytes.write(onlyByte);
            m = only;
        }
        if (bytes.size() == 0) {
            return new int[0];
        }
        int[] tokens = mask.tokens(bytes.toByteArray());
        return tokens.length + mask.tokens(m.completion()).length <= room ? tokens : new int[0];
    }

    /** Moves past an emitted token (not the end of turn). */
    public void accept(int token) {
        JsonMatcher after = state.feed(mask.bytes(token));
        if (after == null) {
            throw new IllegalStateException("Token " + token + " does not continue the value");
        }
        state = after;
    }

    /** Whether the value is complete and nothing can follow it: the answer ends here. */
    public boolean finished() {
        return state.finished();
    }

    /** Whether the budget made the answer close early (its finish reason is then LENGTH). */
    public boolean cut() {
        return cut;
    }
}
