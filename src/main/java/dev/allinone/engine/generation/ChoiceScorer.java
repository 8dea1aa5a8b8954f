package dev.allinone.engine.generation;

import dev.allinone.engine.api.ChoiceResult;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.api.Timings;
import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.engine.text.RecentlyUsed;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.scheduling.Sequence;
import dev.allinone.engine.transformer.Segment;

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
 * Scoring sequences costs a step per answer and a row of the whole output layer per answer token: ~13 ms
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
     * Scoring the plan's answers after {@code prompt}, as a sequence of the batch, in {@code cache} whose positions
     * before {@code start} already hold the prompt's first tokens. {@code checkpoint} runs before every step; it
     * throws to stop the request (deadline, cancellation).
     */
    public static Sequence<ChoiceResult> choose(KvCache cache, int start, int[] prompt, Plan plan, long submittedAt,
                                                Runnable checkpoint) {
        return new Scoring(cache, start, prompt, plan, submittedAt, checkpoint);
    }

    /**
     * The prompt a chunk per step (the last chunk computes the single-token answers' rows, or the whole logits
     * row); then, for answers scored as sequences, up to {@value #SCORED_PER_PASS} answer tokens per step, each
     * answer overwriting the positions after the prompt.
     */
    private static final class Scoring implements Sequence<ChoiceResult> {
        private final KvCache cache;
        private final int start;
        private final int[] prompt;
        private final Plan plan;
        private final long submittedAt;
        private final Runnable checkpoint;
        private final long begin = System.nanoTime();
        private final double[] logProbabilities;
        private int read;
        private int pendingEnd;
        private long prefillNanos;
        /** Answer being scored (sequences), and how many of its tokens were fed. */
        private int choice;
        private int fed;
        private double promptLogNorm;
        private float[] afterPrompt;
        private boolean done;

        Scoring(KvCache cache, int start, int[] prompt, Plan plan, long submittedAt, Runnable checkpoint) {
            this.cache = cache;
            this.start = start;
            this.prompt = prompt;
            this.plan = plan;
            this.submittedAt = submittedAt;
            this.checkpoint = checkpoint;
            this.read = start;
            this.logProbabilities = new double[plan.choices().size()];
        }

        @Override
        public Segment next(int budget) {
            if (done) {
                return null;
            }
            checkpoint.run();
            if (read < prompt.length) {
                pendingEnd = Math.min(prompt.length, read + budget);
                int[] chunk = Arrays.copyOfRange(prompt, read, pendingEnd);
                if (pendingEnd < prompt.length) {
                    return Segment.of(cache, read, chunk, Segment.Output.NONE);
                }
                return plan.singleToken() ? Segment.rows(cache, read, chunk, plan.singleTokens())
                        : Segment.of(cache, read, chunk, Segment.Output.LAST);
            }
            // Token j of the answer is scored by the logits after token j - 1, a few tokens per step.
            int[] answer = plan.sequences().get(choice);
            pendingEnd = Math.min(answer.length - 1, fed + Math.min(SCORED_PER_PASS, budget));
            return Segment.of(cache, prompt.length + fed, Arrays.copyOfRange(answer, fed, pendingEnd), Segment.Output.ALL);
        }

        @Override
        public void accept(float[][] logits) {
            if (read < prompt.length) {
                read = pendingEnd;
                if (read < prompt.length) {
                    return;
                }
                prefillNanos = System.nanoTime() - begin;
                if (plan.singleToken()) {
                    for (int i = 0; i < logits[0].length; i++) {
                        logProbabilities[i] = logits[0][i]; // normalizing over the whole vocabulary would cancel out
                    }
                    done = true;
                    return;
                }
                afterPrompt = logits[0];
                promptLogNorm = logSumExp(afterPrompt);
                startAnswer(0);
                return;
            }
            int[] answer = plan.sequences().get(choice);
            for (int j = fed + 1; j <= pendingEnd; j++) {
                float[] following = logits[j - 1 - fed];
                logProbabilities[choice] += following[answer[j]] - logSumExp(following);
            }
            fed = pendingEnd;
            if (fed == answer.length - 1) {
                if (choice + 1 < plan.sequences().size()) {
                    startAnswer(choice + 1);
                } else {
                    done = true;
                }
            }
        }

        private void startAnswer(int c) {
            choice = c;
            fed = 0;
            logProbabilities[c] = afterPrompt[plan.sequences().get(c)[0]] - promptLogNorm;
        }

        @Override
        public ChoiceResult finish() {
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

        @Override
        public void discard() {
            done = true;
        }
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
