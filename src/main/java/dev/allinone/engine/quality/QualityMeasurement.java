package dev.allinone.engine.quality;

import dev.allinone.engine.generation.ChoiceScorer;
import dev.allinone.engine.generation.GenerationDefaults;
import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs the calibration tokens through the reference and the candidate side by side and compares every
 * position's logits ({@link LogitComparison}); then the labelling tasks ({@link ChoiceMeasurement}). The text is
 * read in windows of {@value #WINDOW} positions, each from an empty cache (the attention state of both stays
 * small), a chunk of {@value #CHUNK} tokens per pass.
 */
public final class QualityMeasurement {

    static final int WINDOW = 512;
    static final int CHUNK = 32;

    private QualityMeasurement() {
    }

    /**
     * The format's report: the logits on the first {@code positions} calibration tokens, then each check's labels
     * (tokenizer and chat template read from {@code modelDir}).
     */
    public static QualityReport measure(Path modelDir, Transformer reference, Transformer candidate, String format,
                                        int positions, List<ChoiceCheck> checks) {
        try (HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            int[] tokens = Arrays.copyOf(CalibrationText.tokens(tokenizer), positions);
            QualityReport report = measure(reference, candidate, tokens, format, "BF16");
            if (checks.isEmpty()) {
                return report;
            }
            PromptEncoder prompts = PromptEncoder.load(tokenizer, modelDir);
            ChoiceScorer.Plans plans = new ChoiceScorer.Plans(tokenizer,
                    GenerationDefaults.load(modelDir, tokenizer).endOfTurnToken());
            List<ChoiceAgreement> agreements = new ArrayList<>();
            for (ChoiceCheck check : checks) {
                ChoiceMeasurement.measure(reference, candidate, prompts, plans, check).ifPresent(agreements::add);
            }
            return report.withChoices(agreements);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
