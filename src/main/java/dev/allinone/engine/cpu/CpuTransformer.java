package dev.allinone.engine.cpu;

import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.WeightFormat;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Qwen2's forward pass on this project's own kernels: the weights read from the checkpoint (BF16 in place, or
 * quantized to Q8/Q4 at load), matrix products split across threads by {@link Parallel}, attention over a
 * paged {@link CpuKvCache}. Computes what Hugging Face's Qwen2 computes (RMSNorm, rotary embeddings of the
 * rotate-half kind, biased q/k/v, grouped-query attention, SwiGLU), in float.
 *
 * <p>A prompt prefilled in one batch and token by token give the same logits up to float rounding: the batched
 * products sum in another order than the one-token kernels (see {@link Matrix}); attention runs per token.
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
        Qwen2Config config = Qwen2Config.read(modelDir);
        Parallel parallel = new Parallel(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        try {
            long start = System.nanoTime();
            Qwen2Weights weights = new Qwen2Weights(new Safetensors(modelDir), config, format, parallel,
                    format == WeightFormat.BF16 ? null : new QuantizedCopy(modelDir, format));
            log.info("allinone kernels: weights {} ({} MB on the heap, {}) in {} s", format, weights.bytes() >> 20,
                    format == WeightFormat.BF16 ? "as published" : weights.fromCopy() ? "read from the kept copy"
                            : "quantized now", String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
            // The checkpoint's mappings (0.9 GB, every page touched while loading) are unreferenced now; a
            // collection unmaps them, so that the process's memory is what it uses, not what it once read.
            long collect = System.nanoTime();
            System.gc();
            log.debug("Collected after the load in {} ms", (System.nanoTime() - collect) / 1_000_000);
            return new CpuTransformer(weights, parallel);
        } catch (RuntimeException | Error e) {
            parallel.close();
            throw e;
        }
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

    /**
     * The most one forward pass holds at once: the activations of one chunk of {@value #CHUNK} tokens (hidden,
     * normed, q, k, v, attention, output: seven rows as wide as the model; gate and up: two as wide as the MLP),
     * a logits row, every thread's attention scores over the context and a product's four unpacked rows.
     */
    @Override
    public long workingBytes(int contextLimit) {
        long activations = (long) CHUNK * (7L * config.hidden() + 2L * config.intermediate()) * Float.BYTES;
        long logits = (long) vocabularySize() * Float.BYTES;
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
    public float[] prefill(KvCache cache, int start, int[] tokens) {
        return logits(forwardInChunks(cache, start, tokens));
    }

    @Override
    public float[][] prefillAll(KvCache cache, int start, int[] tokens) {
        if (tokens.length > CHUNK) {
            throw new IllegalArgumentException("prefillAll takes at most " + CHUNK + " tokens, not " + tokens.length);
        }
        float[][] hidden = forward(cache, start, tokens);
        float[][] normed = new float[hidden.length][];
        float[][] logits = new float[hidden.length][vocabularySize()];
        for (int t = 0; t < hidden.length; t++) {
            normed[t] = rmsNorm(hidden[t], weights.outputNorm);
        }
        Matrix output = weights.output;
        parallel.rows(output.rows, (from, to) -> output.multiply(normed, normed.length, logits, from, to));
        return logits;
    }

    @Override
    public float[] prefillRows(KvCache cache, int start, int[] tokens, int[] rows) {
        float[] x = rmsNorm(forwardInChunks(cache, start, tokens), weights.outputNorm);
        float[] logits = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            logits[i] = weights.output.dotRow(rows[i], x);
        }
        return logits;
    }

    @Override
    public float[] next(KvCache cache, int position, int token) {
        return prefill(cache, position, new int[]{token});
    }

    @Override
    public void copyPrefix(KvCache from, KvCache to, int length) {
        ((CpuKvCache) to).copyFrom((CpuKvCache) from, length);
    }

    // ---- the forward pass -------------------------------------------------------------------------------------

    private float[] logits(float[] hidden) {
        float[] x = rmsNorm(hidden, weights.outputNorm);
        float[] logits = new float[vocabularySize()];
        Matrix output = weights.output;
        parallel.rows(output.rows, (from, to) -> output.multiply(x, logits, from, to));
        return logits;
    }

    /**
     * Runs the tokens at positions {@code start...} a chunk of at most {@value #CHUNK} at a time (the working
     * memory stays the same whatever the prompt's length); returns the last one's hidden state.
     */
    private float[] forwardInChunks(KvCache cache, int start, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("Nothing to prefill");
        }
        float[][] hidden = null;
        for (int from = 0; from < tokens.length; from += CHUNK) {
            int to = Math.min(tokens.length, from + CHUNK);
            hidden = forward(cache, start + from, java.util.Arrays.copyOfRange(tokens, from, to));
        }
        return hidden[hidden.length - 1];
    }

    /** Runs the tokens at positions {@code start...}, writing their keys and values; returns their hidden states. */
    float[][] forward(KvCache kvCache, int start, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("Nothing to prefill");
        }
        CpuKvCache cache = (CpuKvCache) kvCache;
        int n = tokens.length, dim = config.hidden(), kv = config.kvSize();
        float[][] h = new float[n][dim];
        for (int t = 0; t < n; t++) {
            weights.embed(tokens[t], h[t]);
        }
        float[][] xn = new float[n][], q = new float[n][dim], k = new float[n][kv], v = new float[n][kv];
        float[][] attended = new float[n][dim], o = new float[n][dim];
        float[][] gate = new float[n][config.intermediate()], up = new float[n][config.intermediate()];
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
                rotate(q[t], config.heads(), start + t);
                rotate(k[t], config.kvHeads(), start + t);
                cache.store(layer, start + t, k[t], v[t]);
            }
            int currentLayer = layer;
            // Units ordered head by head, each head over all tokens: later tokens attend to more positions, so
            // splitting by token would leave one thread with most of the work.
            int headSize = config.headSize(), group = config.heads() / config.kvHeads();
            parallel.rows(n * config.heads(), (from, to) -> {
                float[] scores = new float[start + n];
                for (int unit = from; unit < to; unit++) {
                    int t = unit % n, head = unit / n;
                    attention.attend(cache, currentLayer, start + t, q[t], head * headSize,
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
        cache.wrote(start + n);
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
