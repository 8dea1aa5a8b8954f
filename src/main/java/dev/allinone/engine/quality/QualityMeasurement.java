package dev.allinone.engine.quality;

import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Runs the calibration tokens through the reference and the candidate side by side and compares every
 * position's logits ({@link LogitComparison}). The text is read in windows of {@value #WINDOW} positions, each
 * from an empty cache (the attention state of both stays small), a chunk of {@value #CHUNK} tokens per pass.
 */
public final class QualityMeasurement {

    static final int WINDOW = 512;
    static final int CHUNK = 32;

    private QualityMeasurement() {
    }

    public static QualityReport measure(Transformer reference, Transformer candidate, int[] tokens, String format,
                                        String referenceName) {
        LogitComparison comparison = new LogitComparison();
        for (int window = 0; window < tokens.length; window += WINDOW) {
            int[] text = Arrays.copyOfRange(tokens, window, Math.min(tokens.length, window + WINDOW));
            try (KvCache r = reference.newCache(); KvCache c = candidate.newCache()) {
                for (int at = 0; at < text.length; at += CHUNK) {
                    int[] chunk = Arrays.copyOfRange(text, at, Math.min(text.length, at + CHUNK));
                    float[][] expected = reference.prefillAll(r, at, chunk);
                    float[][] actual = candidate.prefillAll(c, at, chunk);
                    IntStream.range(0, chunk.length).parallel()
                            .mapToObj(i -> LogitComparison.position(expected[i], actual[i]))
                            .toList().forEach(comparison::add);
                }
            }
        }
        return comparison.report(format, referenceName);
    }
}
