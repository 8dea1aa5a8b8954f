package dev.allinone.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Picks one of a fixed set of answers by its probability under the model, without generating. The prompt is
 * read once; then:
 *
 * <ul>
 *   <li><b>One token per answer</b> (the fast path): when every answer has a spelling that is a single token
 *   (as written, Capitalized or lower case: {@code POSITIVE} is two tokens, {@code Positive} one), the
 *   answer's probability is that token's, normalized over the answers. Only those rows of the output layer
 *   are computed, not all 151,936.</li>
 *   <li><b>Token sequences</b> otherwise: each answer is scored as a continuation of the prompt, token by
 *   token, up to and including the end-of-turn token (so an answer that is a prefix of another is not
 *   favoured). All answers continue from the same KV cache: each overwrites the positions after the
 *   prompt.</li>
 * </ul>
 */
final class ChoiceScorer {

    /** How a set of answers is scored, decided once per request on the caller's thread. */
    record Plan(List<String> choices, int[] singleTokens, List<int[]> sequences) {

        boolean singleToken() {
            return singleTokens != null;
        }

        /** Tokens the longest answer adds to the prompt. */
        int longest() {
            return singleToken() ? 1 : sequences.stream().mapToInt(a -> a.length).max().orElse(0);
        }
    }

    private ChoiceScorer() {
    }

    static Plan plan(List<String> choices, HfTokenizer tokenizer, int endOfTurn) {
        Optional<int[]> single = singleTokens(choices, tokenizer);
        if (single.isPresent()) {
            return new Plan(choices, single.get(), null);
        }
        List<int[]> sequences = new ArrayList<>(choices.size());
        for (String choice : choices) {
            sequences.add(HfTokenizer.concat(List.of(tokenizer.encode(choice), new int[] {endOfTurn})));
        }
        return new Plan(choices, null, sequences);
    }

    /** The single-token spelling of every answer, if all have one and they are distinct. */
    private static Optional<int[]> singleTokens(List<String> choices, HfTokenizer tokenizer) {
        int[] tokens = new int[choices.size()];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < choices.size(); i++) {
            String c = choices.get(i);
            String capitalized = c.isEmpty() ? c
                    : c.substring(0, 1).toUpperCase(Locale.ROOT) + c.substring(1).toLowerCase(Locale.ROOT);
            Integer found = null;
            for (String spelling : List.of(c, capitalized, c.toLowerCase(Locale.ROOT))) {
                int[] ids = tokenizer.encode(spelling);
                if (ids.length == 1) {
                    found = ids[0];
                    break;
                }
            }
            if (found == null || !seen.add(found)) {
                return Optional.empty();
            }
            tokens[i] = found;
        }
        return Optional.of(tokens);
    }

    /**
     * Scores the plan's answers after {@code prompt}, in {@code cache} whose positions before {@code start}
     * already hold the prompt's first tokens.
     */
    static ChoiceResult choose(Transformer transformer, KvCache cache, int start, int[] prompt, Plan plan, long submittedAt) {
        long begin = System.nanoTime();
        int[] rest = Arrays.copyOfRange(prompt, start, prompt.length);
        double[] logProbabilities;
        long prefillNanos;
        if (plan.singleToken()) {
            float[] logits = transformer.prefillRows(cache, start, rest, plan.singleTokens());
            prefillNanos = System.nanoTime() - begin;
            logProbabilities = new double[logits.length];
            for (int i = 0; i < logits.length; i++) {
                logProbabilities[i] = logits[i]; // normalizing over the whole vocabulary would cancel out
            }
        } else {
            float[] afterPrompt = transformer.prefill(cache, start, rest);
            prefillNanos = System.nanoTime() - begin;
            logProbabilities = sequenceLogProbabilities(transformer, cache, prompt.length, afterPrompt, plan.sequences());
        }
        double norm = logSumExp(logProbabilities);
        Map<String, Double> probabilities = new LinkedHashMap<>();
        int best = 0;
        for (int c = 0; c < plan.choices().size(); c++) {
            probabilities.put(plan.choices().get(c), Math.exp(logProbabilities[c] - norm));
            if (logProbabilities[c] > logProbabilities[best]) {
                best = c;
            }
        }
        long end = System.nanoTime();
        Timings timings = new Timings(begin - submittedAt, prefillNanos, end - begin - prefillNanos, end - submittedAt);
        return new ChoiceResult(plan.choices().get(best), probabilities, prompt.length, start, timings);
    }

    private static double[] sequenceLogProbabilities(Transformer transformer, KvCache cache, int position,
                                                     float[] afterPrompt, List<int[]> answers) {
        double[] result = new double[answers.size()];
        double promptLogNorm = logSumExp(afterPrompt);
        for (int c = 0; c < answers.size(); c++) {
            int[] answer = answers.get(c);
            double lp = afterPrompt[answer[0]] - promptLogNorm;
            if (answer.length > 1) {
                float[][] following = transformer.prefillAll(cache, position, Arrays.copyOf(answer, answer.length - 1));
                for (int j = 1; j < answer.length; j++) {
                    lp += following[j - 1][answer[j]] - logSumExp(following[j - 1]);
                }
            }
            result[c] = lp;
        }
        return result;
    }

    static double logSumExp(float[] logits) {
        double[] values = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            values[i] = logits[i];
        }
        return logSumExp(values);
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
