package dev.allinone.engine.transformer;

import dev.allinone.engine.quality.QualityReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The neural network, seen from the engine: tokens in, next-token logits out, with the attention keys and
 * values kept in a {@link KvCache}. Implementations are not thread-safe: the engine's one inference thread
 * ({@code engine.scheduling.InferenceWorker}) is the only caller.
 */
public interface Transformer extends AutoCloseable {

    /**
     * One forward pass over several sequences at once (continuous batching): every segment's tokens, each in its
     * own cache, with the weights read once for all of them. Returns, per segment and in order, the logits it asked
     * for ({@link Segment#outputRows()} rows). No two segments may share a cache.
     *
     * <p>This default runs the segments one after another (Jlama's reference kernels have no batched pass);
     * allinone's kernels override it with one pass whose every row is bit for bit what it would be alone.
     */
    default List<float[][]> step(List<Segment> segments) {
        List<float[][]> out = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            out.add(switch (s.output()) {
                case NONE -> {
                    prefillRows(s.cache(), s.start(), s.tokens(), new int[0]);
                    yield new float[0][];
                }
                case LAST -> new float[][] {prefill(s.cache(), s.start(), s.tokens())};
                case ALL -> prefillAll(s.cache(), s.start(), s.tokens());
                case ROWS -> new float[][] {prefillRows(s.cache(), s.start(), s.tokens(), s.rows())};
            });
        }
        return out;
    }

    /** Most tokens {@link #step} takes at once, all segments together (bounds its working memory). */
    default int maxStepTokens() {
        return 256;
    }

    /** Rows of the output layer, i.e. the length of every logits array. */
    int vocabularySize();

    /** A fresh, empty cache. The caller must close it; closing frees its memory. */
    KvCache newCache();

    /**
     * Runs {@code tokens} at positions {@code start, start+1, ...} and returns the logits that follow the last
     * one. Positions from {@code start} on are overwritten, so a cache filled up to {@code start} with a
     * shared prefix can be continued several times.
     */
    float[] prefill(KvCache cache, int start, int[] tokens);

    /**
     * Like {@link #prefill}, but returns the logits after every token, in order: a row as long as the
     * vocabulary per token, so callers pass a few tokens at a time.
     */
    float[][] prefillAll(KvCache cache, int start, int[] tokens);

    /**
     * Like {@link #prefill}, but computes only the given rows of the output layer (the logits of a few
     * candidate tokens), which skips most of the output layer's work.
     */
    float[] prefillRows(KvCache cache, int start, int[] tokens, int[] rows);

    /** One token at {@code position}: the decode step. */
    float[] next(KvCache cache, int position, int token);

    /** Copies the keys and values of positions {@code [0, length)} from one cache to another. */
    void copyPrefix(KvCache from, KvCache to, int length);

    /** Memory a cache holding {@code positions} positions takes. */
    long kvBytes(int positions);

    /** Memory the weights take, on the heap. */
    long weightBytes();

    /** The most memory one forward pass allocates at once, for sequences up to {@code contextLimit} tokens. */
    long workingBytes(int contextLimit);

    /** Caches created and not yet closed; a leak shows here. */
    int openCaches();

    /** Which kernels run the matrix products, for the startup log. */
    String kernels();

    /** What the weights are stored as in memory (BF16, Q4, ...). */
    String weightType();

    /** What the weight format costs against the checkpoint's BF16 weights, when it was measured. */
    default Optional<QualityReport> quality() {
        return Optional.empty();
    }

    @Override
    void close();
}
