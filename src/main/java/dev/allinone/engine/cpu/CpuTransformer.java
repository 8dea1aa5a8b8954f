package dev.allinone.engine.cpu;

import dev.allinone.engine.quality.QualityReport;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Segment;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.WeightFormat;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Qwen2's forward pass on this project's own kernels: the weights read from the checkpoint (BF16 in place, or
 * quantized to Q8/Q4 at load), matrix products split across threads by {@link Parallel}, attention over a
 * paged {@link CpuKvCache}. Computes what Hugging Face's Qwen2 computes (RMSNorm, rotary embeddings of the
 * rotate-half kind, biased q/k/v, grouped-query attention, SwiGLU), in float.
 *
 * <p>Every row of a pass is computed as if alone: a prompt prefilled in one pass or token by token, and a
 * sequence stepped alone or beside others ({@link #step}), give bit-identical logits (see {@link Matrix}).
 */
public final class CpuTransformer implements Transformer {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Tokens per forward pass of a long prompt: bounds the working memory at ~13 MB for Qwen1.5-0.5B. */
    static final int CHUNK = 256;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CpuTransformer.class);

    private final Qwen2Config config;
    private final Qwen2Weights weights;
    private final Parallel parallel;
    private final AtomicInteger openCaches = new AtomicInteger();
    private final double[] inverseFrequencies;
    private final Attention attention;

    private CpuTransformer(Qwen2Weights weights, Parallel parallel) {
        this.config = weights.config;
        this.weights = weights;
        this.parallel = parallel;
        int half = config.headSize() / 2;
        this.inverseFrequencies = new double[half];
        for (int i = 0; i < half; i++) {
            inverseFrequencies[i] = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / config.headSize());
        }
        this.attention = new Attention(config.headSize());
    }

    /** Loads a Qwen2 checkpoint (BF16 safetensors, as published) in {@code format}, on {@code threads} threads. */
    public static CpuTransformer load(Path modelDir, int threads, WeightFormat format) {
        return load(modelDir, threads, format, false);
    }

    /**
     * The checkpoint's BF16 weights read in place from the mapped files, nothing copied to the heap: the reference
     * a quantized format is measured against while that format's weights fill the heap. Slower; the same logits.
     */
    public static CpuTransformer loadReference(Path modelDir, int threads) {
        return load(modelDir, threads, WeightFormat.BF16, true);
    }

    private static CpuTransformer load(Path modelDir, int threads, WeightFormat format, boolean inPlace) {
        Qwen2Config config = Qwen2Config.read(modelDir);
        Parallel parallel = new Parallel(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        try {
            long start = System.nanoTime();
            Qwen2Weights weights = new Qwen2Weights(new Safetensors(modelDir), config, format, parallel,
                    format == WeightFormat.BF16 ? null : new QuantizedCopy(modelDir, format), inPlace);
            String source = inPlace ? "read in place from the checkpoint" : format == WeightFormat.BF16 ? "as published"
                    : weights.fromCopy() ? "read from the kept copy" : "quantized now";
            log.info("allinone kernels: weights {} ({} MB on the heap, {}) in {} s", format, weights.bytes() >> 20,
                    source, String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
            // The checkpoint's mappings (0.9 GB, every page touched while loading) are unreferenced now (except by a
            // reference read in place); a collection unmaps them, so that the process's memory is what it uses.
            long collect = System.nanoTime();
            System.gc();
            log.debug("Collected after the load in {} ms", (System.nanoTime() - collect) / 1_000_000);
            return new CpuTransformer(weights, parallel);
        } catch (RuntimeException | Error e) {
            parallel.close();
            throw e;
        }
    }

    /** The measured cost of this format, once {@link #quality(QualityReport)} attached it. */
    private volatile QualityReport quality;

    @Override
    public Optional<QualityReport> quality() {
        return Optional.ofNullable(quality);
    }

    /** Attaches the measured cost of this format (see {@code engine.quality}). */
    public void quality(QualityReport report) {
        this.quality = report;
    }

    /** Where the quantized copy of {@code format} is kept for a checkpoint ({@code weights.bin}); null for BF16. */
    public static Path keptCopy(Path modelDir, WeightFormat format) {
        return format == WeightFormat.BF16 ? null : new QuantizedCopy(modelDir, format).file();
    }

    @Override
    public int vocabularySize() {
        return weights.output.rows;
    }

    @Override
    public KvCache newCache() {
        return new CpuKvCache(config.layers(), config.kvSize(), config.headSize(), openCaches);
    }

    @Override
    public long kvBytes(int positions) {
        return CpuKvCache.bytes(positions, config.layers(), config.kvSize());
    }

    /** Logits rows one step may return: every sequence of a full batch, and a few answer tokens scored at once. */
    static final int MAX_LOGIT_ROWS = 32;

    /**
     * The most one forward pass holds at once: the activations of one step of {@value #CHUNK} tokens (hidden,
     * normed, q, k, v, attention, output: seven rows as wide as the model; gate and up: two as wide as the MLP),
     * up to {@value #MAX_LOGIT_ROWS} logits rows, every thread's attention scores over the context and a product's
     * four unpacked rows.
     */
    @Override
    public long workingBytes(int contextLimit) {
        long activations = (long) CHUNK * (7L * config.hidden() + 2L * config.intermediate()) * Float.BYTES;
        long logits = (long) MAX_LOGIT_ROWS * vocabularySize() * Float.BYTES;
        long scores = (long) parallel.threads() * contextLimit * Float.BYTES;
        long unpacked = (long) parallel.threads() * 4 * Math.max(config.hidden(), config.intermediate()) * Float.BYTES;
        return activations + logits + scores + unpacked;
    }

    @Override
    public int openCaches() {
        return openCaches.get();
    }

    @Override
    public String kernels() {
        return "allinone Vector API kernels, " + F.length() + " float lanes, " + parallel.threads() + " threads";
    }

    @Override
    public String weightType() {
        return weights.format.name();
    }

    @Override
    public long weightBytes() {
        return weights.bytes();
    }

    @Override
    public void close() {
        parallel.close();
        weights.close();
    }

    // ---- the Transformer contract ------------------------------------------------------------------------------

    @Override
    public int maxStepTokens() {
        return CHUNK;
    }

    @Override
    public float[] prefill(KvCache cache, int start, int[] tokens) {
        return inChunks(cache, start, tokens, Segment.Output.LAST, null)[0];
    }

    @Override
    public float[][] prefillAll(KvCache cache, int start, int[] tokens) {
        if (tokens.length > CHUNK) {
            throw new IllegalArgumentException("prefillAll takes at most " + CHUNK + " tokens, not " + tokens.length);
        }
        return step(List.of(Segment.of(cache, start, tokens, Segment.Output.ALL))).getFirst();
    }

    @Override
    public float[] prefillRows(KvCache cache, int start, int[] tokens, int[] rows) {
        return inChunks(cache, start, tokens, Segment.Output.ROWS, rows)[0];
    }

    @Override
    public float[] next(KvCache cache, int position, int token) {
        return prefill(cache, position, new int[]{token});
    }

    @Override
    public void copyPrefix(KvCache from, KvCache to, int length) {
        ((CpuKvCache) to).copyFrom((CpuKvCache) from, length);
    }

    /**
     * One pass over every segment's rows: the products see all rows together (each weight unpacked once per
     * step), attention runs per row over its own sequence's cache, and the output layer computes the requested
     * logits of all segments in one product. Every kernel sums a row the same way whatever the other rows (see
     * {@link Matrix}), so each segment's logits are bit for bit what it gets alone.
     */
    @Override
    public List<float[][]> step(List<Segment> segments) {
        int n = 0, outputs = 0;
        for (Segment s : segments) {
            n += s.tokens().length;
            if (s.output() == Segment.Output.LAST || s.output() == Segment.Output.ALL) {
                outputs += s.outputRows();
            }
        }
        if (n > CHUNK) {
            throw new IllegalArgumentException("A step takes at most " + CHUNK + " tokens, not " + n);
        }
        float[][] hidden = forward(segments, n);
        float[][] normed = new float[outputs][];
        int row = 0, o = 0;
        for (Segment s : segments) {
            int len = s.tokens().length;
            switch (s.output()) {
                case LAST -> normed[o++] = rmsNorm(hidden[row + len - 1], weights.outputNorm);
                case ALL -> {
                    for (int t = 0; t < len; t++) {
                        normed[o++] = rmsNorm(hidden[row + t], weights.outputNorm);
                    }
                }
                default -> {
                }
            }
            row += len;
        }
        float[][] logits = new float[outputs][vocabularySize()];
        if (outputs > 0) {
            Matrix output = weights.output;
            int count = outputs;
            parallel.rows(output.rows, (from, to) -> output.multiply(normed, count, logits, from, to));
        }
        List<float[][]> result = new ArrayList<>(segments.size());
        row = 0;
        o = 0;
        for (Segment s : segments) {
            int len = s.tokens().length;
            switch (s.output()) {
                case NONE -> result.add(new float[0][]);
                case LAST, ALL -> {
                    result.add(Arrays.copyOfRange(logits, o, o + s.outputRows()));
                    o += s.outputRows();
                }
                case ROWS -> {
                    float[] x = rmsNorm(hidden[row + len - 1], weights.outputNorm);
                    float[] some = new float[s.rows().length];
                    for (int i = 0; i < some.length; i++) {
                        some[i] = weights.output.dotRow(s.rows()[i], x);
                    }
                    result.add(new float[][]{some});
                }
            }
            row += len;
        }
        return result;
    }

    // ---- the forward pass -------------------------------------------------------------------------------------

    /**
     * Runs a long prompt a chunk of at most {@value #CHUNK} tokens at a time (the working memory stays the same
     * whatever the prompt's length), asking for {@code output} after the last one.
     */
    private float[][] inChunks(KvCache cache, int start, int[] tokens, Segment.Output output, int[] rows) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("Nothing to prefill");
        }
        int from = 0;
        for (; tokens.length - from > CHUNK; from += CHUNK) {
            step(List.of(Segment.of(cache, start + from, Arrays.copyOfRange(tokens, from, from + CHUNK), Segment.Output.NONE)));
        }
        Segment last = new Segment(cache, start + from, Arrays.copyOfRange(tokens, from, tokens.length), output, rows);
        return step(List.of(last)).getFirst();
    }

    /** Runs every segment's tokens, writing their keys and values; returns their hidden states, segment by segment. */
    float[][] forward(List<Segment> segments, int n) {
        int dim = config.hidden(), kv = config.kvSize();
        CpuKvCache[] caches = new CpuKvCache[n];
        int[] positions = new int[n];
        float[][] h = new float[n][dim];
        int longest = 0;
        int row = 0;
        for (Segment s : segments) {
            for (int t = 0; t < s.tokens().length; t++, row++) {
                caches[row] = (CpuKvCache) s.cache();
                positions[row] = s.start() + t;
                longest = Math.max(longest, positions[row] + 1);
                weights.embed(s.tokens()[t], h[row]);
            }
        }
        float[][] xn = new float[n][], q = new float[n][dim], k = new float[n][kv], v = new float[n][kv];
        float[][] attended = new float[n][dim], o = new float[n][dim];
        float[][] gate = new float[n][config.intermediate()], up = new float[n][config.intermediate()];
        int context = longest;
        for (int layer = 0; layer < config.layers(); layer++) {
            Qwen2Weights.Layer w = weights.layers[layer];
            for (int t = 0; t < n; t++) {
                xn[t] = rmsNorm(h[t], w.inputNorm());
            }
            multiply(xn, n, new Matrix[]{w.q(), w.k(), w.v()}, new float[][][]{q, k, v});
            for (int t = 0; t < n; t++) {
                add(q[t], w.qBias());
                add(k[t], w.kBias());
                add(v[t], w.vBias());
                rotate(q[t], config.heads(), positions[t]);
                rotate(k[t], config.kvHeads(), positions[t]);
                caches[t].store(layer, positions[t], k[t], v[t]);
            }
            int currentLayer = layer;
            // Units ordered head by head, each head over all rows: later positions attend to more keys, so
            // splitting by row would leave one thread with most of the work.
            int headSize = config.headSize(), group = config.heads() / config.kvHeads();
            parallel.rows(n * config.heads(), (from, to) -> {
                float[] scores = new float[context];
                for (int unit = from; unit < to; unit++) {
                    int t = unit % n, head = unit / n;
                    attention.attend(caches[t], currentLayer, positions[t], q[t], head * headSize,
                            head / group * headSize / 2, attended[t], scores);
                }
            });
            multiply(attended, n, new Matrix[]{w.o()}, new float[][][]{o});
            for (int t = 0; t < n; t++) {
                add(h[t], o[t]);
                xn[t] = rmsNorm(h[t], w.postNorm());
            }
            multiply(xn, n, new Matrix[]{w.gate(), w.up()}, new float[][][]{gate, up});
            for (int t = 0; t < n; t++) {
                swiglu(gate[t], up[t]);
            }
            multiply(gate, n, new Matrix[]{w.down()}, new float[][][]{o});
            for (int t = 0; t < n; t++) {
                add(h[t], o[t]);
            }
        }
        for (Segment s : segments) {
            ((CpuKvCache) s.cache()).wrote(s.start() + s.tokens().length);
        }
        return h;
    }

    /**
     * {@code outs[i][t] = ms[i] · xs[t]}: the matrices' rows laid end to end and split across threads in one
     * handoff (q, k and v together; gate and up together).
     */
    private void multiply(float[][] xs, int n, Matrix[] ms, float[][][] outs) {
        int total = 0;
        for (Matrix m : ms) {
            total += m.rows;
        }
        parallel.rows(total, (from, to) -> {
            int offset = 0;
            for (int i = 0; i < ms.length; i++) {
                Matrix m = ms[i];
                int a = Math.max(from - offset, 0), b = Math.min(to - offset, m.rows);
                if (a < b) {
                    m.multiply(xs, n, outs[i], a, b); // one token: the decode kernel
                }
                offset += m.rows;
            }
        });
    }

    private float[] rmsNorm(float[] x, float[] weight) {
        double squares = 0;
        for (float value : x) {
            squares += value * value;
        }
        float scale = (float) (1.0 / Math.sqrt(squares / x.length + config.normEpsilon()));
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * weight[i];
        }
        return out;
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    /** Rotary position embedding of every head of {@code x} at {@code position} (rotate-half pairing). */
    private void rotate(float[] x, int heads, int position) {
        int size = config.headSize(), half = size / 2;
        for (int i = 0; i < half; i++) {
            double angle = position * inverseFrequencies[i];
            float cos = (float) Math.cos(angle), sin = (float) Math.sin(angle);
            for (int head = 0; head < heads; head++) {
                int a = head * size + i, b = a + half;
                float x0 = x[a], x1 = x[b];
                x[a] = x0 * cos - x1 * sin;
                x[b] = x1 * cos + x0 * sin;
            }
        }
    }

    /**
     * {@code g = SiLU(g) * u}, in place. Scalar {@code Math.exp} on purpose: the Vector API's EXP may round
     * differently in compiled and interpreted code, and a token's result must not depend on the JIT.
     */
    private static void swiglu(float[] g, float[] u) {
        for (int i = 0; i < g.length; i++) {
            g[i] = g[i] / (1f + (float) Math.exp(-g[i])) * u[i];
        }
    }
}
