package dev.allinone.model.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.allinone.model.ModelDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A Qwen1.5-0.5B-Chat checkpoint with random weights and the real config and tokenizer.
 *
 * <p>It runs through exactly the same code as the real model (finding the files, quantizing and keeping the
 * copy, the kernels, tokenizer, chat template), so tests and benchmarks exercise the real engine offline. Random weights say nothing about
 * answer quality; a marker file makes the service warn about them at startup.
 */
public final class SyntheticCheckpoint {

    /** Transformer shapes. {@code FULL} is Qwen1.5-0.5B's own; {@code TINY} keeps its vocabulary. */
    public enum Size {
        /**
         * For tests. The intermediate size is 256, not something smaller: the tests that compare our kernels
         * with Jlama's need it, as Jlama 0.8.4 computes the MLP wrongly when its width is not a multiple of 128.
         */
        TINY(64, 256, 2, 4, 4),
        /**
         * For kernel-level tests: wide enough (MLP 1024) to reach the blocked matrix paths of the kernels (ours,
         * and jlama-native 0.8.4's, whose batched prefill goes wrong there for 6+ rows), one layer to stay quick.
         */
        SMALL(512, 1024, 1, 8, 8),
        /** The real shape, for benchmarks: speed does not depend on the weight values. */
        FULL(1024, 2816, 24, 16, 16);

        final int hidden;
        final int intermediate;
        final int layers;
        final int heads;
        final int kvHeads;

        Size(int hidden, int intermediate, int layers, int heads, int kvHeads) {
            this.hidden = hidden;
            this.intermediate = intermediate;
            this.layers = layers;
            this.heads = heads;
            this.kvHeads = kvHeads;
        }

        public static Size parse(String value) {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** The real model's files minus the weights, copied from Hugging Face into our resources. */
    private static final String RESOURCES = "/qwen1.5-0.5b-chat/";
    private static final List<String> REAL_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json");

    /** Standard deviation of Qwen's initializer ({@code initializer_range}). */
    private static final double INIT_STD = 0.02;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticCheckpoint() {
    }

    /**
     * Writes a complete model directory at {@code target} (which must not exist yet). Files go to a sibling
     * temporary directory first and are moved into place at the end, so an interrupted run never leaves a
     * directory that looks complete.
     */
    public static void write(Path target, Size size, long seed) throws IOException {
        ModelDirectory.writeAtomically(target, dir -> {
            for (String file : REAL_FILES) {
                copyResource(file, dir.resolve(file));
            }
            ObjectNode config = (ObjectNode) JSON.readTree(resource("config.json"));
            config.put("hidden_size", size.hidden);
            config.put("intermediate_size", size.intermediate);
            config.put("num_hidden_layers", size.layers);
            config.put("num_attention_heads", size.heads);
            config.put("num_key_value_heads", size.kvHeads);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);

            weights(size, config.get("vocab_size").asInt(), seed).write(dir.resolve("model.safetensors"));

            ObjectNode marker = JSON.createObjectNode();
            marker.put("synthetic", true);
            marker.put("size", size.name().toLowerCase(Locale.ROOT));
            marker.put("seed", seed);
            marker.put("note", "Random weights with the real Qwen1.5-0.5B-Chat config and tokenizer: "
                    + "for tests, smoke runs and benchmarks. Answers are meaningless.");
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(ModelDirectory.SYNTHETIC_MARKER).toFile(), marker);

            Files.writeString(dir.resolve("README.md"), """
                    # Synthetic Qwen1.5-0.5B-Chat checkpoint (%s)

                    Written by allinone's synthetic checkpoint command: the real config (resized to the %s shape)
                    and tokenizer of Qwen/Qwen1.5-0.5B-Chat with **random weights** (seed %d). It exercises the
                    real engine offline; its answers mean nothing. Delete this directory to use the real model.
                    """.formatted(size.name().toLowerCase(Locale.ROOT), size.name().toLowerCase(Locale.ROOT), seed),
                    StandardCharsets.UTF_8);
        });
    }

    private static SafetensorsWriter weights(Size s, int vocab, long seed) {
        SafetensorsWriter w = new SafetensorsWriter();
        int headDim = s.hidden / s.heads;
        int kvDim = s.kvHeads * headDim;
        // Qwen1.5 ties the output head to the input embedding: like the published checkpoint, no lm_head.
        w.add("model.embed_tokens.weight", shape(vocab, s.hidden), random(seed, "embed"));
        for (int i = 0; i < s.layers; i++) {
            String p = "model.layers." + i + ".";
            w.add(p + "input_layernorm.weight", shape(s.hidden), ones());
            w.add(p + "self_attn.q_proj.weight", shape(s.hidden, s.hidden), random(seed, p + "q"));
            w.add(p + "self_attn.q_proj.bias", shape(s.hidden), random(seed, p + "qb"));
            w.add(p + "self_attn.k_proj.weight", shape(kvDim, s.hidden), random(seed, p + "k"));
            w.add(p + "self_attn.k_proj.bias", shape(kvDim), random(seed, p + "kb"));
            w.add(p + "self_attn.v_proj.weight", shape(kvDim, s.hidden), random(seed, p + "v"));
            w.add(p + "self_attn.v_proj.bias", shape(kvDim), random(seed, p + "vb"));
            w.add(p + "self_attn.o_proj.weight", shape(s.hidden, s.hidden), random(seed, p + "o"));
            w.add(p + "post_attention_layernorm.weight", shape(s.hidden), ones());
            w.add(p + "mlp.gate_proj.weight", shape(s.intermediate, s.hidden), random(seed, p + "gate"));
            w.add(p + "mlp.up_proj.weight", shape(s.intermediate, s.hidden), random(seed, p + "up"));
            w.add(p + "mlp.down_proj.weight", shape(s.hidden, s.intermediate), random(seed, p + "down"));
        }
        w.add("model.norm.weight", shape(s.hidden), ones());
        return w;
    }

    private static long[] shape(long... dims) {
        return dims;
    }

    private static SafetensorsWriter.Values ones() {
        return i -> 1f;
    }

    /**
     * Uniform values with the initializer's standard deviation, a pure function of (seed, tensor, index):
     * the same seed always gives the same checkpoint, and no generator state is shared between tensors.
     */
    private static SafetensorsWriter.Values random(long seed, String tensor) {
        long tensorSeed = mix(seed ^ tensor.hashCode() * 0x9E3779B97F4A7C15L);
        double halfWidth = INIT_STD * Math.sqrt(3);
        return i -> {
            long bits = mix(tensorSeed + i * 0xBF58476D1CE4E5B9L);
            double unit = (bits >>> 11) * 0x1.0p-53; // [0, 1)
            return (float) ((unit * 2 - 1) * halfWidth);
        };
    }

    /** SplitMix64's finalizer: a cheap, well-mixed hash of a long. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static InputStream resource(String name) {
        InputStream in = SyntheticCheckpoint.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new UncheckedIOException(new IOException("Missing resource " + RESOURCES + name));
        }
        return in;
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = resource(name)) {
            Files.copy(in, target);
        }
    }
}
