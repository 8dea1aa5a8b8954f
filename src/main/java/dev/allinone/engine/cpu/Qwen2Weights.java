package dev.allinone.engine.cpu;

import dev.allinone.engine.transformer.WeightFormat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Qwen2 checkpoint's weights in the chosen format, on the heap: the matrices as BF16 as published, or
 * quantized from them; norms and biases as float arrays. Token embeddings are read from the checkpoint one
 * row per token ({@link EmbeddingTable}); with tied embeddings the output layer is the same table in the chosen
 * format. Nothing keeps the checkpoint's mappings once loading is done.
 */
final class Qwen2Weights implements AutoCloseable {

    /** How the matrices are held. */

    record Layer(float[] inputNorm, Matrix q, float[] qBias, Matrix k, float[] kBias, Matrix v, float[] vBias,
                 Matrix o, float[] postNorm, Matrix gate, Matrix up, Matrix down) {
    }

    final Qwen2Config config;
    final WeightFormat format;
    private final EmbeddingTable embeddings;
    final Layer[] layers;
    final float[] outputNorm;
    final Matrix output;
    private final boolean inPlace;
    /** The checkpoint, while loading. */
    private Safetensors files;
    /** Quantized matrices read from the kept copy (null: none, or BF16), and those quantized now. */
    private final Map<String, Matrix> stored;
    private final Map<String, BlockMatrix> quantized = new LinkedHashMap<>();

    /**
     * @param copy where the quantized matrices are kept between starts; null to quantize every time
     */
    Qwen2Weights(Safetensors files, Qwen2Config config, WeightFormat format, Parallel parallel, QuantizedCopy copy) {
        this(files, config, format, parallel, copy, false);
    }

    /**
     * @param inPlace BF16 only: read the matrices from the mapped checkpoint instead of copying them to the heap
     *                (the quality reference, beside a quantized model)
     */
    Qwen2Weights(Safetensors files, Qwen2Config config, WeightFormat format, Parallel parallel, QuantizedCopy copy,
                 boolean inPlace) {
        this.inPlace = inPlace && format == WeightFormat.BF16;
        this.files = files;
        this.config = config;
        this.format = format;
        this.stored = format == WeightFormat.BF16 || copy == null ? null : copy.read();
        this.embeddings = new EmbeddingTable(files.get("model.embed_tokens.weight"));
        this.layers = new Layer[config.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(floats(p + "input_layernorm.weight"),
                    matrix(p + "self_attn.q_proj.weight", parallel), floats(p + "self_attn.q_proj.bias"),
                    matrix(p + "self_attn.k_proj.weight", parallel), floats(p + "self_attn.k_proj.bias"),
                    matrix(p + "self_attn.v_proj.weight", parallel), floats(p + "self_attn.v_proj.bias"),
                    matrix(p + "self_attn.o_proj.weight", parallel), floats(p + "post_attention_layernorm.weight"),
                    matrix(p + "mlp.gate_proj.weight", parallel), matrix(p + "mlp.up_proj.weight", parallel),
                    matrix(p + "mlp.down_proj.weight", parallel));
        }
        this.outputNorm = floats("model.norm.weight");
        this.output = matrix(files.has("lm_head.weight") ? "lm_head.weight" : "model.embed_tokens.weight", parallel);
        if (copy != null && !quantized.isEmpty()) {
            copy.write(quantized);
        }
        this.files = null; // lets the mappings go
        quantized.clear();
    }

    @Override
    public void close() {
        embeddings.close();
    }

    /** Whether the quantized matrices came from the kept copy. */
    boolean fromCopy() {
        return stored != null;
    }

    /** Memory the weights take on the heap. */
    long bytes() {
        long total = output.bytes();
        for (Layer l : layers) {
            for (Matrix m : new Matrix[]{l.q, l.k, l.v, l.o, l.gate, l.up, l.down}) {
                total += m.bytes();
            }
        }
        return total;
    }

    /** The embedding of {@code token}, into {@code out}. */
    void embed(int token, float[] out) {
        embeddings.embed(token, out);
    }

    private Matrix matrix(String name, Parallel parallel) {
        Safetensors.Tensor source = bf16(files.get(name));
        WeightFormat held = formatOf(name);
        if (stored != null && stored.get(name) instanceof Matrix kept && kept.rows == source.rows() && kept.cols == source.cols()
                && kept.format().equals(held.name())) {
            return kept;
        }
        Matrix m = switch (held) {
            case BF16 -> inPlace ? new MappedBf16Matrix(source.data(), source.rows(), source.cols())
                    : new Bf16Matrix(source.data(), source.rows(), source.cols());
            case Q8 -> Q8Matrix.quantize(source, parallel);
            case Q4 -> Q4Matrix.quantize(source, parallel);
            case Q4K -> Q4KMatrix.quantize(source, parallel);
            case Q4KM -> throw new IllegalStateException("Q4KM is a mix of formats, not one");
        };
        if (m instanceof BlockMatrix block) {
            quantized.put(name, block);
        }
        return m;
    }

    /**
     * The format one tensor is held in: the chosen one, except that Q4KM holds attention's value and output
     * projections in Q8 and the rest in Q4K: of the seven kinds of matrix and the output layer, each put alone in
     * Q8, these two lowered the full-size checkpoint's logit error most (the README's weight formats).
     */
    private WeightFormat formatOf(String name) {
        if (format != WeightFormat.Q4KM) {
            return format;
        }
        return name.endsWith("self_attn.v_proj.weight") || name.endsWith("self_attn.o_proj.weight")
                ? WeightFormat.Q8 : WeightFormat.Q4K;
    }

    private static Safetensors.Tensor bf16(Safetensors.Tensor t) {
        if (!t.dtype().equals("BF16") || t.shape().length != 2) {
            throw new IllegalStateException(t.name() + " is " + t.dtype() + " " + java.util.Arrays.toString(t.shape())
                    + "; the allinone kernels read BF16 matrices (the checkpoint as published)");
        }
        return t;
    }

    private float[] floats(String name) {
        return files.get(name).toFloats();
    }
}
