package dev.allinone.engine.quality;

import dev.allinone.engine.generation.ChoiceScorer;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Judges a {@link ChoiceCheck}'s messages with the reference and the candidate: each message as its AI service
 * sends it (the system message, the user message, the chat template's assistant opening), the labels' logits at
 * the last position normalized over the labels, as {@link ChoiceScorer} does. The messages' shared beginning (the
 * system message) is read once per model and copied into each message's cache.
 */
final class ChoiceMeasurement {

    private ChoiceMeasurement() {
    }

    /** Empty when the labels are not one token each (scored as token sequences: not compared here). */
    static Optional<ChoiceAgreement> measure(Transformer reference, Transformer candidate, PromptEncoder prompts,
                                             ChoiceScorer.Plans plans, ChoiceCheck check) {
        int[] labels = plans.of(check.choices()).singleTokens();
        if (labels == null || check.messages().isEmpty()) {
            return Optional.empty();
        }
        List<int[]> encoded = check.messages().stream().map(m -> prompts.encode(List.of(
                new PromptEncoder.Message("system", check.system()), new PromptEncoder.Message("user", m)), true)).toList();
        int shared = Integer.MAX_VALUE;
        for (int[] prompt : encoded) {
            int differs = Arrays.mismatch(prompt, encoded.getFirst());
            // At least the last token of each is its own: its logits are the ones compared.
            shared = Math.min(shared, Math.min(prompt.length - 1, differs < 0 ? prompt.length : differs));
        }
        double[][] expected = probabilities(reference, encoded, shared, labels);
        double[][] actual = probabilities(candidate, encoded, shared, labels);
        int agreeing = 0;
        double largest = 0;
        for (int m = 0; m < encoded.size(); m++) {
            if (best(expected[m]) == best(actual[m])) {
                agreeing++;
            }
            for (int c = 0; c < labels.length; c++) {
                largest = Math.max(largest, Math.abs(expected[m][c] - actual[m][c]));
            }
        }
        return Optional.of(new ChoiceAgreement(check.name(), encoded.size(), (double) agreeing / encoded.size(), largest));
    }

    private static double[][] probabilities(Transformer model, List<int[]> prompts, int shared, int[] labels) {
        double[][] probabilities = new double[prompts.size()][];
        try (KvCache beginning = model.newCache()) {
            if (shared > 0) {
                model.prefillRows(beginning, 0, Arrays.copyOf(prompts.getFirst(), shared), new int[0]);
            }
            for (int m = 0; m < prompts.size(); m++) {
                int[] prompt = prompts.get(m);
                try (KvCache cache = model.newCache()) {
                    model.copyPrefix(beginning, cache, shared);
                    float[] logits = model.prefillRows(cache, shared, Arrays.copyOfRange(prompt, shared, prompt.length), labels);
                    probabilities[m] = normalized(logits);
                }
            }
        }
        return probabilities;
    }

    private static double[] normalized(float[] logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static int best(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
