package dev.allinone.engine.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The shape of a Qwen2 checkpoint, from its {@code config.json}. */
record Qwen2Config(int hidden, int intermediate, int layers, int heads, int kvHeads, int vocabulary,
                   float normEpsilon, double ropeTheta, boolean tiedEmbeddings) {

    int headSize() {
        return hidden / heads;
    }

    int kvSize() {
        return kvHeads * headSize();
    }

    static Qwen2Config read(Path modelDir) {
        try {
            JsonNode c = new ObjectMapper().readTree(modelDir.resolve("config.json").toFile());
            String type = c.path("model_type").asText();
            if (!type.equals("qwen2")) {
                throw new IllegalStateException("The allinone kernels run Qwen2 models; " + modelDir + " is '" + type
                        + "' (set allinone.engine.kernels=jlama)");
            }
            return new Qwen2Config(c.get("hidden_size").asInt(), c.get("intermediate_size").asInt(),
                    c.get("num_hidden_layers").asInt(), c.get("num_attention_heads").asInt(),
                    c.path("num_key_value_heads").asInt(c.get("num_attention_heads").asInt()),
                    c.get("vocab_size").asInt(), (float) c.path("rms_norm_eps").asDouble(1e-6),
                    c.path("rope_theta").asDouble(10000), c.path("tie_word_embeddings").asBoolean(false));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + modelDir.resolve("config.json"), e);
        }
    }
}
