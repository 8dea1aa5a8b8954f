package dev.allinone.engine.transformer;

/**
 * One sequence's share of a batched step ({@link Transformer#step}): {@code tokens} at positions
 * {@code start, start+1, ...} of {@code cache}, and which logits the sequence wants back.
 *
 * @param rows for {@link Output#ROWS}: the rows of the output layer to compute (candidate tokens)
 */
public record Segment(KvCache cache, int start, int[] tokens, Output output, int[] rows) {

    /** What a segment gets back from a step. */
    public enum Output {
        /** Nothing: a prompt's leading chunk, computed for its keys and values only. */
        NONE,
        /** The logits after the last token: one row as long as the vocabulary. */
        LAST,
        /** The logits after every token, in order. */
        ALL,
        /** After the last token, only the logits of {@link Segment#rows}. */
        ROWS
    }

    public Segment {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("A segment has at least one token");
        }
        if ((output == Output.ROWS) != (rows != null)) {
            throw new IllegalArgumentException("Rows are given exactly when the output is ROWS");
        }
    }

    public static Segment of(KvCache cache, int start, int[] tokens, Output output) {
        return new Segment(cache, start, tokens, output, null);
    }

    public static Segment rows(KvCache cache, int start, int[] tokens, int[] rows) {
        return new Segment(cache, start, tokens, Output.ROWS, rows);
    }

    /** Rows of logits the step returns for this segment. */
    public int outputRows() {
        return switch (output) {
            case NONE -> 0;
            case LAST, ROWS -> 1;
            case ALL -> tokens.length;
        };
    }
}
