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
 *
 * <p>Or text: with {@code orText}, the answer may instead be free text. The schema then begins with fixed text
 * (a tool call's opening line); while the answer's bytes are a beginning of it, a token is allowed if it leaves
 * the opening (the answer is text from then on, unconstrained) or continues the schema's value (once the opening
 * is complete, the answer is a value, held as above).
 */
public final class JsonConstraint {

    private final TokenMask mask;
    private final Set<Integer> endTokens;
    private final int endToken;
    private JsonMatcher state;
    private final Deque<Integer> forced = new ArrayDeque<>();
    private boolean cut;
    /** With text allowed: the opening, how much of it the answer has written, and whether it left it. */
    private final byte[] opening;
    private int openingAt;
    private boolean text;

    public JsonConstraint(JsonSchema schema, TokenMask mask, Set<Integer> endTokens) {
        this(schema, mask, endTokens, false);
    }

    public JsonConstraint(JsonSchema schema, TokenMask mask, Set<Integer> endTokens, boolean orText) {
        this.mask = mask;
        this.endTokens = endTokens;
        this.endToken = endTokens.iterator().next();
        this.state = schema.start();
        this.opening = orText ? schema.opening() : new byte[0];
        if (orText && opening.length == 0) {
            throw new IllegalArgumentException("Text or a value: the value needs an opening that text can leave");
        }
    }

    /** Whether, text being allowed, the answer is still a beginning of the schema's opening. */
    public boolean undecided() {
        return !text && openingAt < opening.length;
    }

    /** Whether the answer left the schema's opening: it is free text, and this constraint holds it no more. */
    public boolean text() {
        return text;
    }

    /** Tokens of the schema's shortest value: the least budget an answer needs. */
    public int shortestAnswer() {
        return mask.tokens(state.completion()).length;
    }

    /** Whether the next token is already decided (the budget's completion is being written). */
    public boolean forcing() {
        return !text && (!forced.isEmpty() || state.finished());
    }

    /** Sets the logits of every token that cannot come next to -infinity. */
    public void restrict(float[] logits) {
        if (text) {
            return;
        }
        BitSet allowed = mask.allowed(state);
        if (undecided()) {
            leaving(allowed);
            for (int end : endTokens) {
                allowed.set(end);
            }
        }
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
        if (text || undecided() && (endTokens.contains(sampled) || leaves(mask.bytes(sampled)))) {
            return sampled;
        }
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
        if (!forced.isEmpty() || text || undecided()) {
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
        if (text) {
            return;
        }
        if (undecided()) {
            byte[] bytes = mask.bytes(token);
            if (leaves(bytes)) {
                text = true;
                return;
            }
            openingAt = Math.min(opening.length, openingAt + bytes.length);
        }
        JsonMatcher after = state.feed(mask.bytes(token));
        if (after == null) {
            throw new IllegalStateException("Token " + token + " does not continue the value");
        }
        state = after;
    }

    /** Whether the value is complete and nothing can follow it: the answer ends here. */
    public boolean finished() {
        return !text && state.finished();
    }

    /** Whether a token's bytes differ from the rest of the opening before either ends (control tokens do). */
    private boolean leaves(byte[] bytes) {
        if (bytes == null) {
            return true;
        }
        for (int i = 0; i < bytes.length && openingAt + i < opening.length; i++) {
            if (bytes[i] != opening[openingAt + i]) {
                return true;
            }
        }
        return false;
    }

    /** Adds every token with text that leaves the opening here. */
    private void leaving(BitSet allowed) {
        for (int token = 0; token < mask.size(); token++) {
            byte[] bytes = mask.bytes(token);
            if (bytes != null && bytes.length > 0 && leaves(bytes)) {
                allowed.set(token);
            }
        }
    }

    /** Whether the budget made the answer close early (its finish reason is then LENGTH). */
    public boolean cut() {
        return cut;
    }
}
