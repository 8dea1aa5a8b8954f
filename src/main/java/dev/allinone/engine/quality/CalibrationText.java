package dev.allinone.engine.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.text.HfTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The text formats are measured on, shipped with the project: support conversations in English and Chinese
 * ({@code quality/calibration.txt}), then the labelled sentiment messages
 * ({@code evaluation/sentiment-support-messages.jsonl}), cut at {@value #TOKENS} tokens.
 */
public final class CalibrationText {

    /** Calibration positions: enough for stable figures, few enough to measure in well under a minute. */
    public static final int TOKENS = 2_048;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CalibrationText() {
    }

    /** The calibration text as tokens. */
    public static int[] tokens(HfTokenizer tokenizer) {
        StringBuilder text = new StringBuilder(read("/quality/calibration.txt"));
        String messages = read("/evaluation/sentiment-support-messages.jsonl");
        for (String line : messages.split("\n")) {
            if (!line.isBlank()) {
                try {
                    JsonNode example = JSON.readTree(line);
                    text.append("\nMessage (").append(example.path("label").asText().toLowerCase(java.util.Locale.ROOT))
                            .append("): ").append(example.path("text").asText());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        int[] tokens = tokenizer.encode(text.toString());
        return Arrays.copyOf(tokens, Math.min(TOKENS, tokens.length));
    }

    private static String read(String resource) {
        try (InputStream in = CalibrationText.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
