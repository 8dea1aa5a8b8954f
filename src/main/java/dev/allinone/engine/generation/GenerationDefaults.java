package dev.allinone.engine.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.text.HfTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the model's publishers recommend, from {@code generation_config.json} (with {@code config.json} and
 * the tokenizer as fallbacks): the tokens that end an answer, and the default sampling.
 *
 * @param endTokens        every id that ends generation (Qwen1.5: {@code <|im_end|>} and {@code <|endoftext|>})
 * @param endOfTurnToken   the token the chat template closes a message with; it ends a scored answer
 * @param sampling         default sampling settings
 */
public record GenerationDefaults(Set<Integer> endTokens, int endOfTurnToken, SamplingSettings sampling) {

    public static GenerationDefaults load(Path modelDir, HfTokenizer tokenizer) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode generation = readIfPresent(json, modelDir.resolve("generation_config.json"));
        JsonNode config = readIfPresent(json, modelDir.resolve("config.json"));
        JsonNode tokenizerConfig = readIfPresent(json, modelDir.resolve("tokenizer_config.json"));

        Set<Integer> ends = new LinkedHashSet<>();
        addIds(ends, generation.path("eos_token_id"));
        addIds(ends, config.path("eos_token_id"));
        String eosText = tokenizerConfig.path("eos_token").isTextual()
                ? tokenizerConfig.path("eos_token").asText()
                : tokenizerConfig.path("eos_token").path("content").asText("");
        Integer endOfTurn = tokenizer.specialTokens().get(eosText);
        if (endOfTurn == null) {
            if (ends.isEmpty()) {
                throw new IOException("No end-of-sequence token in " + modelDir + " (generation_config.json, config.json"
                        + " or tokenizer_config.json)");
            }
            endOfTurn = ends.iterator().next();
        }
        ends.add(endOfTurn);

        boolean doSample = generation.path("do_sample").asBoolean(true);
        SamplingSettings sampling = new SamplingSettings(
                doSample ? generation.path("temperature").asDouble(1.0) : 0.0,
                generation.path("top_p").asDouble(1.0),
                generation.path("top_k").asInt(0),
                generation.path("repetition_penalty").asDouble(1.0),
                0, 0);
        return new GenerationDefaults(Set.copyOf(ends), endOfTurn, sampling);
    }

    private static JsonNode readIfPresent(ObjectMapper json, Path file) throws IOException {
        return Files.isRegularFile(file) ? json.readTree(file.toFile()) : json.createObjectNode();
    }

    private static void addIds(Set<Integer> ids, JsonNode node) {
        if (node.isInt()) {
            ids.add(node.asInt());
        } else if (node.isArray()) {
            node.forEach(n -> ids.add(n.asInt()));
        }
    }
}
