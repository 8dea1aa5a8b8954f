package dev.allinone.engine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks one of a fixed set of answers by its probability under the model, without generating: the prompt is
 * read once, and each answer is scored as a continuation of it, token by token, up to and including the
 * end-of-turn token (so an answer that is a prefix of another is not favoured). All answers continue from the
 * same KV cache: each overwrites the positions after the prompt.
 */
final class ChoiceScorer {

    private ChoiceScorer() {
    }

    /**
     * @param answers each answer's tokens, ending with the end-of-turn token
     */
    static ChoiceResult choose(Transformer transformer, int[] prompt, List<String> choices, List<int[]> answers, long submittedAt) {
        long start = System.nanoTime();
        double[] logProbabilities = new double[choices.size()];
        long prefillNanos;
        try (KvCache cache = transformer.newCache()) {
            float[] afterPrompt = transformer.prefill(cache, 0, prompt);
            prefillNanos = System.nanoTime() - start;
            double promptLogNorm = logSumExp(afterPrompt);
            for (int c = 0; c < answers.size(); c++) {
                int[] answer = answers.get(c);
                double lp = afterPrompt[answer[0]] - promptLogNorm;
                if (answer.length > 1) {
                    int[] fed = Arrays.copyOf(answer, answer.length - 1);
                    float[][] following = transformer.prefillAll(cache, prompt.length, fed);
                    for (int j = 1; j < answer.length; j++) {
                        lp += following[j - 1][answer[j]] - logSumExp(following[j - 1]);
                    }
                }
                logProbabilities[c] = lp;
            }
        }
        double norm = logSumExp(logProbabilities);
        Map<String, Double> probabilities = new LinkedHashMap<>();
        int best = 0;
        for (int c = 0; c < choices.size(); c++) {
            probabilities.put(choices.get(c), Math.exp(logProbabilities[c] - norm));
            if (logProbabilities[c] > logProbabilities[best]) {
                best = c;
            }
        }
        long end = System.nanoTime();
        Timings timings = new Timings(start - submittedAt, prefillNanos, end - start - prefillNanos, end - submittedAt);
        return new ChoiceResult(choices.get(best), probabilities, prompt.length, timings);
    }

    static double logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    static double logSumExp(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : values) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }
}
