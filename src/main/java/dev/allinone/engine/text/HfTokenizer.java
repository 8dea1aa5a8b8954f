package dev.allinone.engine.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's own Hugging Face tokenizer ({@code tokenizer.json}), run by DJL's binding of the Rust
 * {@code tokenizers} library. Jlama 0.8.4's Java BPE drops non-Latin-1 text for Qwen; this one matches the
 * reference tokenization, Chinese and emoji included.
 *
 * <p>{@link #encode} treats its input as plain text: a user who types {@code <|im_end|>} gets the
 * characters, not the control token, so message text cannot close its own turn in the chat template.
 * Control tokens only come from the template (see {@link PromptEncoder}).
 */
public final class HfTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> specialTokens;
    private final int size;
    private final Path file;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> specialTokens, int size, Path file) {
        this.tokenizer = tokenizer;
        this.specialTokens = specialTokens;
        this.size = size;
        this.file = file;
    }

    /** The {@code tokenizer.json} this tokenizer was read from. */
    public Path file() {
        return file;
    }

    /** Loads {@code tokenizer.json} from a model directory. */
    public static HfTokenizer load(Path modelDir) throws IOException {
        // No truncation (DJL's default cuts at 512 tokens), no padding, and no implicit special tokens:
        // the chat template places every control token itself.
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(modelDir, Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false"));
        Map<String, Integer> special = new LinkedHashMap<>();
        int maxId = -1;
        // Streamed: of the 7 MB file only the vocabulary's size and the added tokens are needed here (a tree of it
        // took most of a second at startup).
        try (JsonParser json = new ObjectMapper().createParser(modelDir.resolve("tokenizer.json").toFile())) {
            json.nextToken();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                if (field.equals("model")) {
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        String modelField = json.currentName();
                        json.nextToken();
                        if (modelField.equals("vocab") && json.currentToken() == JsonToken.START_OBJECT) {
                            int entries = 0;
                            while (json.nextToken() == JsonToken.FIELD_NAME) {
                                json.nextToken();
                                entries++;
                            }
                            maxId = Math.max(maxId, entries - 1);
                        } else {
                            json.skipChildren();
                        }
                    }
                } else if (field.equals("added_tokens") && json.currentToken() == JsonToken.START_ARRAY) {
                    while (json.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode added = json.readValueAsTree();
                        int id = added.path("id").asInt();
                        maxId = Math.max(maxId, id);
                        if (added.path("special").asBoolean()) {
                            special.put(added.path("content").asText(), id);
                        }
                    }
                } else {
                    json.skipChildren();
                }
            }
        }
        return new HfTokenizer(tokenizer, Collections.unmodifiableMap(special), maxId + 1, modelDir.resolve("tokenizer.json"));
    }

    /** Token ids of {@code text} as plain text: special-token literals in it are encoded as characters. */
    public int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        List<String> pieces = splitSpecialLiterals(text);
        if (pieces.size() == 1) {
            return encodeRaw(text);
        }
        List<int[]> parts = new ArrayList<>(pieces.size());
        for (String piece : pieces) {
            parts.add(encodeRaw(piece));
        }
        return concat(parts);
    }

    /** The text of {@code ids}, without control tokens; ids outside the vocabulary contribute nothing. */
    public String decode(int[] ids, int from, int to) {
        long[] longs = new long[to - from];
        for (int i = from; i < to; i++) {
            longs[i - from] = ids[i];
        }
        return tokenizer.decode(longs, true);
    }

    public String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /** The id of a control token such as {@code <|im_end|>}. */
    public int specialTokenId(String content) {
        Integer id = specialTokens.get(content);
        if (id == null) {
            throw new IllegalArgumentException("No special token " + content + " in this tokenizer");
        }
        return id;
    }

    public Map<String, Integer> specialTokens() {
        return specialTokens;
    }

    /**
     * Number of ids the tokenizer knows. The model's embedding can be larger (Qwen1.5: 151,936 rows for
     * 151,646 tokens); ids at or above this have no text.
     */
    public int size() {
        return size;
    }

    int[] encodeRaw(String text) {
        long[] ids = tokenizer.encode(text).getIds();
        int[] result = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            result[i] = (int) ids[i];
        }
        return result;
    }

    /**
     * Cuts {@code text} in the middle of every special-token literal, so that no piece contains one whole and
     * the tokenizer reads each as ordinary characters.
     */
    private List<String> splitSpecialLiterals(String text) {
        List<Integer> cuts = new ArrayList<>();
        for (String literal : specialTokens.keySet()) {
            for (int at = text.indexOf(literal); at >= 0; at = text.indexOf(literal, at + 1)) {
                cuts.add(at + literal.length() / 2);
            }
        }
        if (cuts.isEmpty()) {
            return List.of(text);
        }
        Collections.sort(cuts);
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int cut : cuts) {
            if (cut > start) {
                pieces.add(text.substring(start, cut));
                start = cut;
            }
        }
        pieces.add(text.substring(start));
        return pieces;
    }

    public static int[] concat(List<int[]> parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] all = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
