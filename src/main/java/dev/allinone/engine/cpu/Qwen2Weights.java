package dev.allinone.engine.cpu;

/**
 * A Qwen2 checkpoint's weights in the chosen format, on the heap: the matrices as BF16 as published, or
 * quantized from them; norms and biases as float arrays. Token embeddings are looked up in the mapped file
 * (one row per token); with tied embeddings the output layer is the same table in the chosen format.
 */
final class Qwen2Weights {

    /** How the matrices are held. */
    enum Format { BF16, Q8, Q4 }

    record Layer(float[] inputNorm, Matrix q, float[] qBias, Matrix k, float[] kBias, Matrix v, float[] vBias,
                 Matrix o, float[] postNorm, Matrix gate, Matrix up, Matrix down) {
    }

    final Qwen2Config config;
    final Format format;
    private final Safetensors.Tensor embeddings;
    final Layer[] layers;
    final float[] outputNorm;
    final Matrix output;
    private final Safetensors files;

    Qwen2Weights(Safetensors files, Qwen2Config config, Format format, Parallel parallel) {
        this.files = files;
        this.config = config;
        this.format = format;
        this.embeddings = files.get("model.embed_tokens.weight");
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
        java.nio.ByteBuffer table = embeddings.data();
        long base = 2L * token * embeddings.cols();
        for (int c = 0; c < out.length; c++) {
            out[c] = Float.intBitsToFloat(table.getShort((int) (base + 2L * c)) << 16);
        }
    }

    private Matrix matrix(String name, Parallel parallel) {
        Safetensors.Tensor source = bf16(files.get(name));
        return switch (format) {
            case BF16 -> new Bf16Matrix(source.data(), source.rows(), source.cols());
            case Q8 -> Q8Matrix.quantize(source, parallel);
            case Q4 -> Q4Matrix.quantize(source, parallel);
        };
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
