package dev.allinone.engine.jlama;

import com.github.tjake.jlama.math.VectorMath;
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.model.RMSNorm;
import com.github.tjake.jlama.safetensors.Config;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.WeightLoader;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import dev.allinone.engine.api.EngineSetupException;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.TransformerFactory;
import dev.allinone.engine.transformer.WeightFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Transformer} over Jlama 0.8.4's model classes: its weights loading, forward pass and kernels, with
 * our own KV-cache handling and prefill batching.
 */
public final class JlamaTransformer implements Transformer {

    private static final Logger log = LoggerFactory.getLogger(JlamaTransformer.class);

    /**
     * Tokens per {@code batchForward} call. jlama-native 0.8.4's batched matrix product is wrong for 6 or more
     * rows on wide layers (logits off by up to 3 on Qwen1.5-0.5B's shape, on AVX-512); at 5 it equals the
     * token-by-token forward exactly. {@code PrefillConsistencyTest} guards this.
     */
    public static final int MAX_PREFILL_BATCH = 5;

    private final AbstractModel model;
    private final int vocabularySize;
    private final int layers;
    private final int kvLength;
    private final AtomicInteger openCaches = new AtomicInteger();
    /** The final norm and output rows, for computing a few logits without the whole output layer. */
    private final RMSNorm outputNorm;
    private final AbstractTensor outputWeights;
    private final PageGeometry pages;
    /** Outer instance for our buffers; they are never registered in it. */
    private final KvBufferCache kvBuffers;

    private JlamaTransformer(AbstractModel model) {
        this.model = model;
        Config c = model.getConfig();
        this.vocabularySize = c.vocabularySize;
        this.layers = c.dctx().numberOfLayers;
        this.kvLength = c.kvLength;
        // The same tensors Jlama's own output layer uses (LlamaModel.loadOutputWeights): the final norm, and
        // lm_head or, with tied embeddings, the input embedding, as stored.
        WeightLoader w = model.getWeights();
        this.outputNorm = new RMSNorm(model, w.load("model.norm.weight"));
        this.outputWeights = w.isWeightPresent("lm_head.weight") ? w.load("lm_head.weight") : w.load("model.embed_tokens.weight");
        this.pages = PageGeometry.of(c, model.getWorkingDType().size(), BUFFER_WITH_PAGE_SIZE != null);
        this.kvBuffers = new KvBufferCache(model);
    }

    /**
     * How {@code allinone.engine.kernels=jlama} loads a checkpoint in {@code format}: BF16 as published; Q4 as
     * Jlama's own Q4, converted once into {@code <dir>-Q4} beside the checkpoint and reused after that. Jlama
     * 0.8.4's Q8 crashes, so Q8 is refused; Q4K is allinone's own.
     */
    public static TransformerFactory factory(WeightFormat format) {
        return switch (format) {
            case BF16 -> JlamaTransformer::load;
            case Q4 -> (dir, threads) -> load(Q4Converter.convertedOnce(dir), threads);
            case Q8 -> throw new EngineSetupException("Weight format Q8 runs on allinone's kernels only (Jlama 0.8.4's"
                    + " Q8 crashes).", "Set allinone.engine.kernels=allinone, or allinone.engine.weight-format=q4 or bf16.");
            case Q4K, Q4KM -> throw new EngineSetupException("Weight format " + format + " runs on allinone's kernels"
                    + " only (Jlama has no such format).", "Set allinone.engine.kernels=allinone, or allinone.engine.weight-format=q4 or bf16.");
        };
    }

    /** Jlama's Q4 copy of the checkpoint in {@code modelDir}, converted now if it is not there yet. */
    public static Path q4Copy(Path modelDir) {
        return Q4Converter.convertedOnce(modelDir);
    }

    /** Loads the checkpoint in {@code modelDir} as it is (BF16, or a directory {@link Q4Converter} wrote). */
    public static JlamaTransformer load(Path modelDir, int threads) {
        requireVectorModule();
        setThreads(threads);
        // No working directory: KV memory stays off-heap in memory, never in page files.
        AbstractModel model = ModelSupport.loadModel(modelDir.toFile(), null, DType.F32, DType.F32,
                Optional.empty(), Optional.empty());
        return new JlamaTransformer(model);
    }

    private static void requireVectorModule() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException("Jlama needs the JDK's Vector API: start the JVM with "
                    + "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "
                    + "(./mvnw spring-boot:run and the tests add them for you).");
        }
    }

    private static void setThreads(int threads) {
        try {
            PhysicalCoreExecutor.overrideThreadCount(threads);
        } catch (IllegalStateException alreadyStarted) {
            // Jlama's pool is per JVM and fixed once it has run (a second model in the same JVM, e.g. tests).
            int current = PhysicalCoreExecutor.instance.get().getCoreCount();
            if (current != threads) {
                log.warn("Jlama's thread pool already runs with {} threads; allinone.engine.threads={} is ignored",
                        current, threads);
            }
        }
    }

    @Override
    public int vocabularySize() {
        return vocabularySize;
    }

    @Override
    public KvCache newCache() {
        KvBufferCache.KvBuffer buffer = newBuffer();
        openCaches.incrementAndGet();
        return new JlamaKvCache(buffer, openCaches, pages);
    }

    /**
     * An off-heap KV buffer whose pages each hold {@value #POSITIONS_PER_PAGE} positions of every layer.
     * Jlama's own choices are worse for us: its ephemeral buffers have 1 MB pages (5 positions of 24 layers:
     * attention then walks many tiny pages, measured 3-6% slower), its session buffers 8 MB pages laid out as
     * 23 + 1 layers (two full pages per 44 positions: half of the memory wasted). The constructor that takes
     * a page size is package-private, hence reflection; if a Jlama version lacks it, its ephemeral buffer is
     * used.
     */
    private KvBufferCache.KvBuffer newBuffer() {
        if (BUFFER_WITH_PAGE_SIZE != null) {
            try {
                return BUFFER_WITH_PAGE_SIZE.newInstance(kvBuffers, UUID.randomUUID(), (int) pages.requestedPageBytes(), true);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Could not create a Jlama KV buffer", e);
            }
        }
        return kvBuffers.getEphemeralKvBuffer();
    }

    private static final Constructor<KvBufferCache.KvBuffer> BUFFER_WITH_PAGE_SIZE = bufferConstructor();

    private static Constructor<KvBufferCache.KvBuffer> bufferConstructor() {
        try {
            Constructor<KvBufferCache.KvBuffer> c = KvBufferCache.KvBuffer.class.getDeclaredConstructor(
                    KvBufferCache.class, UUID.class, int.class, boolean.class);
            c.setAccessible(true);
            return c;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Jlama's KV buffer constructor is not reachable ({}); using its 1 MB pages", e.toString());
            return null;
        }
    }

    @Override
    public void copyPrefix(KvCache from, KvCache to, int length) {
        KvBufferCache.KvBuffer source = buffer(from);
        KvBufferCache.KvBuffer target = buffer(to);
        for (int layer = 0; layer < layers; layer++) {
            for (int position = 0; position < length; position++) {
                target.getKeyTensorForPosition(layer, position)
                        .copyFrom(source.getKeyTensorForPosition(layer, position), 0, 0, kvLength);
                target.getValTensorForPosition(layer, position)
                        .copyFrom(source.getValTensorForPosition(layer, position), 0, 0, kvLength);
            }
        }
        ((JlamaKvCache) to).wrote(length);
    }

    /** Positions of all layers one KV page holds. */
    static final int POSITIONS_PER_PAGE = 32;

    /**
     * How Jlama lays out a KV buffer with pages of at most {@code requestedPageBytes} (the same computation as
     * KvBufferCache.computePageSize): pages of {@code layersPerPage} layers by {@code positionsPerPage}
     * positions, allocated as positions are written.
     */
    private record PageGeometry(long requestedPageBytes, int layerPages, int positionsPerPage, long pageBytes) {

        static PageGeometry of(Config c, int bytesPerValue, boolean customPages) {
            long perLayerPosition = 2L * bytesPerValue * c.dctx().kvSegmentLength;
            long maxPage = customPages ? c.dctx().numberOfLayers * perLayerPosition * POSITIONS_PER_PAGE : 1 << 20;
            int layers = c.dctx().numberOfLayers;
            int bestLayers = 1;
            int bestPositions = 1;
            long best = 0;
            for (int x = layers; x >= 1; x--) {
                long y = maxPage / (x * perLayerPosition);
                if (y >= 1 && y <= c.contextLength) {
                    long product = x * y;
                    if (product > best) {
                        bestLayers = x;
                        bestPositions = (int) y;
                        best = product;
                    }
                    if (product < best) {
                        break;
                    }
                }
            }
            return new PageGeometry(maxPage, (layers + bestLayers - 1) / bestLayers, bestPositions,
                    bestLayers * bestPositions * perLayerPosition);
        }

        long bytes(int positions) {
            long positionPages = (positions + positionsPerPage - 1) / positionsPerPage;
            return layerPages * positionPages * pageBytes;
        }
    }

    @Override
    public long kvBytes(int positions) {
        return pages.bytes(positions);
    }

    /** Jlama's weights are mapped from the checkpoint, not on the heap. */
    @Override
    public long weightBytes() {
        return 0;
    }

    /** Jlama's activations are its own native buffers, not on the heap. */
    @Override
    public long workingBytes(int contextLimit) {
        return 0;
    }

    @Override
    public int openCaches() {
        return openCaches.get();
    }

    @Override
    public float[] prefill(KvCache cache, int start, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("Nothing to prefill");
        }
        try (AbstractTensor last = forwardAll(cache, start, tokens)) {
            return logits(last.slice(last.shape().first() - 1));
        }
    }

    @Override
    public float[] prefillRows(KvCache cache, int start, int[] tokens, int[] rows) {
        try (AbstractTensor last = forwardAll(cache, start, tokens);
             AbstractTensor normed = outputNorm.forward(last.slice(true, last.shape().first() - 1))) {
            int dim = model.getConfig().embeddingLength;
            float[] x = new float[dim];
            for (int i = 0; i < dim; i++) {
                x[i] = normed.get(0, i);
            }
            float[] logits = new float[rows.length];
            for (int r = 0; r < rows.length; r++) {
                AbstractTensor row = outputWeights.slice(true, rows[r]);
                double dot = 0;
                for (int i = 0; i < dim; i++) {
                    dot += x[i] * row.get(0, i);
                }
                logits[r] = (float) dot;
            }
            return logits;
        }
    }

    /** Runs the tokens in batches Jlama computes correctly; returns the last batch's hidden states. */
    private AbstractTensor forwardAll(KvCache cache, int start, int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("Nothing to prefill");
        }
        KvBufferCache.KvBuffer buffer = buffer(cache);
        AbstractTensor last = null;
        for (int i = 0; i < tokens.length; i += MAX_PREFILL_BATCH) {
            if (last != null) {
                last.close();
            }
            int[] batch = Arrays.copyOfRange(tokens, i, Math.min(tokens.length, i + MAX_PREFILL_BATCH));
            last = model.batchForward(batch, start + i, buffer);
        }
        ((JlamaKvCache) cache).wrote(start + tokens.length);
        return last;
    }

    @Override
    public float[][] prefillAll(KvCache cache, int start, int[] tokens) {
        KvBufferCache.KvBuffer buffer = buffer(cache);
        float[][] all = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i += MAX_PREFILL_BATCH) {
            int[] batch = Arrays.copyOfRange(tokens, i, Math.min(tokens.length, i + MAX_PREFILL_BATCH));
            try (AbstractTensor hidden = model.batchForward(batch, start + i, buffer)) {
                for (int row = 0; row < batch.length; row++) {
                    all[i + row] = logits(hidden.slice(row));
                }
            }
        }
        ((JlamaKvCache) cache).wrote(start + tokens.length);
        return all;
    }

    @Override
    public float[] next(KvCache cache, int position, int token) {
        try (AbstractTensor hidden = model.forward(token, position, buffer(cache), Optional.empty())) {
            ((JlamaKvCache) cache).wrote(position + 1);
            return logits(hidden);
        }
    }

    /**
     * Final norm and output layer for one row of hidden states: what Jlama's sample() computes, without its
     * argmax pass over the vocabulary (the engine samples itself).
     */
    private float[] logits(AbstractTensor hiddenRow) {
        Config c = model.getConfig();
        try (AbstractTensor normed = outputNorm.forward(hiddenRow);
             AbstractTensor out = model.makeDenseTensor(1, vocabularySize)) {
            VectorMath.pchunk(0, vocabularySize, (chunkStart, chunkSize) -> TensorOperationsProvider.get()
                    .dotProductChunk(out, normed, outputWeights, 0, c.embeddingLength, chunkStart, chunkSize));
            float[] logits = new float[vocabularySize];
            out.getMemorySegment().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(logits);
            if (c.logitMultiplier != null) {
                for (int i = 0; i < logits.length; i++) {
                    logits[i] /= c.logitMultiplier;
                }
            }
            if (c.finalLogitSoftCapping != null) {
                float cap = c.finalLogitSoftCapping;
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = (float) (Math.tanh(logits[i] / cap) * cap);
                }
            }
            return logits;
        }
    }

    @Override
    public String kernels() {
        return TensorOperationsProvider.get().name();
    }

    @Override
    public String weightType() {
        return model.getWeights().getModelDType().name();
    }

    @Override
    public void close() {
        model.close();
    }

    private static KvBufferCache.KvBuffer buffer(KvCache cache) {
        return ((JlamaKvCache) cache).buffer();
    }

    private static final class JlamaKvCache implements KvCache {
        private final KvBufferCache.KvBuffer buffer;
        private final AtomicInteger openCaches;
        private final PageGeometry pages;
        private boolean closed;
        private int positions;

        JlamaKvCache(KvBufferCache.KvBuffer buffer, AtomicInteger openCaches, PageGeometry pages) {
            this.buffer = buffer;
            this.openCaches = openCaches;
            this.pages = pages;
        }

        @Override
        public long bytes() {
            return closed ? 0 : pages.bytes(positions);
        }

        void wrote(int end) {
            positions = Math.max(positions, end);
        }

        @Override
        public int positions() {
            return positions;
        }

        KvBufferCache.KvBuffer buffer() {
            if (closed) {
                throw new IllegalStateException("KV cache already closed");
            }
            return buffer;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                buffer.close(); // gives its pages back
                openCaches.decrementAndGet();
            }
        }
    }
}
