package dev.allinone.engine.generation;

import dev.allinone.engine.api.ChoiceResult;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.api.Timings;
import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.engine.text.RecentlyUsed;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;

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
 *
 * Scoring sequences costs a forward pass per answer and a row of the whole output layer per answer token: ~13 ms
 * per answer token at Qwen1.5-0.5B's size. So the answers are limited: at most {@value #MAX_CHOICES}, each at
 * most {@value #MAX_CHOICE_TOKENS} tokens, and when they are scored as sequences at most
 * {@value #MAX_SCORED_TOKENS} tokens together (a few seconds); and the request's deadline and cancellation are
 * checked between answers, as between generated tokens.
 */
public final class ChoiceScorer {

    /** Most answers a request may allow. */
    static final int MAX_CHOICES = 256;
    /** Longest answer, in tokens. */
    static final int MAX_CHOICE_TOKENS = 32;
    /** Most tokens the answers may have together when they are scored token by token. */
    static final int MAX_SCORED_TOKENS = 512;
    /** Answer tokens scored in one forward pass: each returns a row of logits as long as the vocabulary. */
    private static final int SCORED_PER_PASS = 8;

    /** How a set of answers is scored, decided once per request on the caller's thread. */
    public record Plan(List<String> choices, int[] singleTokens, List<int[]> sequences) {

        boolean singleToken() {
            return singleTokens != null;
        }

        /** Tokens the longest answer adds to the prompt. */
        public int longest() {
            return singleToken() ? 1 : sequences.stream().mapToInt(a -> a.length).max().orElse(0);
        }
    }

    /** Plans by their answers: an AI service asks for the same few answers on every call. */
    public static final class Plans {
        private final HfTokenizer tokenizer;
        private final int endOfTurn;
        private final RecentlyUsed<List<String>, Plan> byChoices = new RecentlyUsed<>(64);

        public Plans(HfTokenizer tokenizer, int endOfTurn) {
            this.tokenizer = tokenizer;
            this.endOfTurn = endOfTurn;
        }

        public Plan of(List<String> choices) {
            return byChoices.computeIfAbsent(List.copyOf(choices), key -> plan(key, tokenizer, endOfTurn));
        }
    }

    private ChoiceScorer() {
    }

    /**
     * @throws InvalidRequestException when there is no answer, one twice, more than {@value #MAX_CHOICES}, or one
     *                                 longer than {@value #MAX_CHOICE_TOKENS} tokens
     */
    static Plan plan(List<String> choices, HfTokenizer tokenizer, int endOfTurn) {
        if (choices.isEmpty()) {
            throw new InvalidRequestException("The allowed answers (enum) must not be empty", "response_format");
        }
        if (choices.size() > MAX_CHOICES) {
            throw new InvalidRequestException("At most " + MAX_CHOICES + " allowed answers (enum values), not "
                    + choices.size(), "response_format");
        }
        if (new HashSet<>(choices).size() != choices.size()) {
            throw new InvalidRequestException("The allowed answers (enum values) must be distinct", "response_format");
        }
        Optional<int[]> single = singleTokens(choices, tokenizer);
        if (single.isPresent()) {
            return new Plan(choices, single.get(), null);
        }
        List<int[]> sequences = new ArrayList<>(choices.size());
        int total = 0;
        for (String choice : choices) {
            int[] tokens = tokenizer.encode(choice);
            if (tokens.length > MAX_CHOICE_TOKENS) {
                throw new InvalidRequestException("Each allowed answer (enum value) may be at most " + MAX_CHOICE_TOKENS
                        + " tokens; one is " + tokens.length, "response_format");
            }
            total += tokens.length + 1;
            sequences.add(HfTokenizer.concat(List.of(tokens, new int[] {endOfTurn})));
        }
        if (total > MAX_SCORED_TOKENS) {
            throw new InvalidRequestException("The allowed answers (enum values) are " + total + " tokens together; at most "
                    + MAX_SCORED_TOKENS + " can be scored (answers are scored token by token unless each is one token)",
                    "response_format");
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
     * already hold the prompt's first tokens. {@code checkpoint} runs between chunks of the prompt and between
     * answers; it throws to stop the request (deadline, cancellation).
     */
    public static ChoiceResult choose(Transformer transformer, KvCache cache, int start, int[] prompt, Plan plan, long submittedAt,
                               Runnable checkpoint) {
        long begin = System.nanoTime();
        int last = ChunkedPrefill.leading(transformer, cache, start, Arrays.copyOfRange(prompt, start, prompt.length),
                () -> {
                    checkpoint.run();
                    return false;
                });
        int[] rest = Arrays.copyOfRange(prompt, last, prompt.length);
        double[] logProbabilities;
        long prefillNanos;
        if (plan.singleToken()) {
            float[] logits = transformer.prefillRows(cache, last, rest, plan.singleTokens());
            prefillNanos = System.nanoTime() - begin;
            logProbabilities = new double[logits.length];
            for (int i = 0; i < logits.length; i++) {
                logProbabilities[i] = logits[i]; // normalizing over the whole vocabulary would cancel out
            }
        } else {
            float[] afterPrompt = transformer.prefill(cache, last, rest);
            prefillNanos = System.nanoTime() - begin;
            logProbabilities = sequenceLogProbabilities(transformer, cache, prompt.length, afterPrompt, plan.sequences(),
                    checkpoint);
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
                                                     float[] afterPrompt, List<int[]> answers, Runnable checkpoint) {
        double[] result = new double[answers.size()];
        double promptLogNorm = logSumExp(afterPrompt);
        for (int c = 0; c < answers.size(); c++) {
            checkpoint.run();
            int[] answer = answers.get(c);
            double lp = afterPrompt[answer[0]] - promptLogNorm;
            // Token j of the answer is scored by the logits after token j - 1, a few tokens per pass.
            for (int from = 0; from < answer.length - 1; from += SCORED_PER_PASS) {
                int to = Math.min(answer.length - 1, from + SCORED_PER_PASS);
                float[][] following = transformer.prefillAll(cache, position + from, Arrays.copyOfRange(answer, from, to));
                for (int j = from + 1; j <= to; j++) {
                    lp += following[j - 1 - from][answer[j]] - logSumExp(following[j - 1 - from]);
                }
            }
            result[c] = lp;
        }
        return result;
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
