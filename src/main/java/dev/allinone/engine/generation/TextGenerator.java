package dev.allinone.engine.generation;

import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.api.Timings;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.constraint.JsonConstraint;
import dev.allinone.engine.constraint.JsonSchema;
import dev.allinone.engine.constraint.TokenMask;
import dev.allinone.engine.scheduling.Sequence;
import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.engine.text.StopSequenceFilter;
import dev.allinone.engine.text.StreamingDetokenizer;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Segment;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Answers as sequences of the batch: the prompt read a chunk per step, then one token per step, sampled,
 * detokenized, filtered for stop sequences and streamed, in a KV cache the caller lends.
 */
public final class TextGenerator {

    private final HfTokenizer tokenizer;
    private final Set<Integer> endTokens;
    /** The vocabulary as bytes, for answers held to a JSON schema: read on the first such answer. */
    private volatile TokenMask mask;

    public TextGenerator(HfTokenizer tokenizer, Set<Integer> endTokens) {
        this.tokenizer = tokenizer;
        this.endTokens = endTokens;
    }

    /**
     * Refuses a schema whose shortest answer does not fit in {@code maxNewTokens} (else the budget could not close
     * the value). Reads the vocabulary's bytes the first time: call it on the caller's thread, before queueing.
     */
    public void checkRoom(JsonSchema schema, int maxNewTokens) {
        int shortest = new JsonConstraint(schema, mask(), endTokens).shortestAnswer();
        if (shortest > maxNewTokens) {
            throw new InvalidRequestException("The shortest answer this JSON schema allows takes " + shortest
                    + " tokens, more than the " + maxNewTokens + " allowed", "max_tokens");
        }
    }

    private TokenMask mask() {
        TokenMask m = mask;
        if (m == null) {
            synchronized (this) {
                if (mask == null) {
                    mask = TokenMask.of(tokenizer.file(), tokenizer.size());
                }
                m = mask;
            }
        }
        return m;
    }

    /**
     * The result; the tokens whose keys and values the cache now holds (prompt and the answer tokens fed
     * back); and the answer's tokens, when they are exactly the answer's text (no stop sequence cut it).
     */
    public record Outcome(GenerationResult result, int[] inCache, int[] answerTokens) {
    }

    /**
     * An answer to {@code prompt}, to be run by the batch.
     *
     * @param cache        a cache whose positions before {@code start} already hold the prompt's first tokens
     * @param prompt       prompt tokens, already checked against the context limit
     * @param maxNewTokens cap on new tokens, already reduced to what the context limit leaves
     * @param stop         checked before every step: true ends the answer as cancelled
     * @param submittedAt  {@link System#nanoTime()} when the request was queued, for the timings
     */
    public Sequence<Outcome> answer(KvCache cache, int start, int[] prompt, GenerationSettings settings, int maxNewTokens,
                                    int vocabularySize, TokenListener listener, BooleanSupplier stop, long submittedAt) {
        return new Answer(cache, start, prompt, settings, maxNewTokens, vocabularySize, listener, stop, submittedAt);
    }

    private final class Answer implements Sequence<Outcome> {
        private final KvCache cache;
        private final int start;
        private final int[] prompt;
        private final int maxNewTokens;
        private final TokenListener listener;
        private final BooleanSupplier stop;
        private final long submittedAt;
        private final long begin = System.nanoTime();
        private final Sampler sampler;
        /** The JSON schema's hold on the answer, or null for free text. */
        private final JsonConstraint constraint;
        /**
         * The fixed texts some of the schema's answers begin with (a tool call's opening line). An answer that
         * begins with one is not streamed (a call is delivered whole); while the answer is still a beginning of
         * one, its text is held back, and released once it has left them all.
         */
        private final List<String> openings;
        private final StringBuilder withheld = new StringBuilder();
        private boolean released;
        private final StreamingDetokenizer detokenizer = new StreamingDetokenizer(tokenizer);
        private final StopSequenceFilter stops;
        private final int[] inCache;
        private final int[] answer;
        /** Prompt positions computed so far; then, while answering, positions in the cache. */
        private int position;
        /** Where the segment handed out last ends. */
        private int pendingEnd;
        /**
         * Answer tokens chosen but not yet computed: the last sampled one, and after it, under a JSON schema, the
         * tokens that had to follow it (the rest of a key, punctuation): all computed in one step (or a few, when a
         * step has less room), and the next token sampled from the last one's logits.
         */
        private int[] pending = new int[0];
        private int pendingFrom;
        private int generated;
        private long prefillNanos;
        private long firstTokenNanos;
        private boolean done;
        private GenerationResult.Finish finish = GenerationResult.Finish.LENGTH;

        Answer(KvCache cache, int start, int[] prompt, GenerationSettings settings, int maxNewTokens, int vocabularySize,
               TokenListener listener, BooleanSupplier stop, long submittedAt) {
            this.cache = cache;
            this.start = start;
            this.prompt = prompt;
            this.maxNewTokens = maxNewTokens;
            this.listener = listener;
            this.stop = stop;
            this.submittedAt = submittedAt;
            this.sampler = new Sampler(settings.sampling(), tokenizer.size(), vocabularySize, prompt, new SplittableRandom());
            this.constraint = constraint(settings, maxNewTokens);
            this.stops = new StopSequenceFilter(constraint == null ? settings.stopSequences() : List.of());
            this.openings = settings.schema() == null ? List.of() : settings.schema().openings();
            this.inCache = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
            this.answer = new int[maxNewTokens];
            this.position = start;
        }

        /**
         * The hold on the answer. Text or a value: when the budget cannot hold the shortest value, the answer is
         * text (a free-text answer may still spell the opening; the caller reads that as text).
         */
        private JsonConstraint constraint(GenerationSettings settings, int maxNewTokens) {
            if (settings.schema() == null) {
                return null;
            }
            JsonConstraint c = new JsonConstraint(settings.schema(), mask(), endTokens, settings.orText());
            return settings.orText() && c.shortestAnswer() > maxNewTokens ? null : c;
        }

        private boolean reading() {
            return position < prompt.length && generated == 0 && prefillNanos == 0;
        }

        @Override
        public Segment next(int budget) {
            if (done) {
                return null;
            }
            if (stop.getAsBoolean()) {
                finish = GenerationResult.Finish.CANCELLED;
                done = true;
                return null;
            }
            if (reading()) {
                pendingEnd = Math.min(prompt.length, position + budget);
                return Segment.of(cache, position, Arrays.copyOfRange(prompt, position, pendingEnd),
                        pendingEnd == prompt.length ? Segment.Output.LAST : Segment.Output.NONE);
            }
            pendingEnd = Math.min(pending.length, pendingFrom + budget);
            return Segment.of(cache, position, Arrays.copyOfRange(pending, pendingFrom, pendingEnd),
                    pendingEnd == pending.length ? Segment.Output.LAST : Segment.Output.NONE);
        }

        @Override
        public void accept(float[][] logits) {
            if (reading()) {
                position = pendingEnd;
                if (position < prompt.length) {
                    return;
                }
                prefillNanos = Math.max(1, System.nanoTime() - begin);
            } else {
                for (; pendingFrom < pendingEnd; pendingFrom++) {
                    inCache[position++] = pending[pendingFrom];
                }
                if (pendingFrom < pending.length) {
                    return;
                }
            }
            if (generated == 0 && constraint != null && lead()) {
                return;
            }
            int token;
            if (constraint == null) {
                token = sampler.sample(logits[0]);
            } else if (constraint.forcing()) {
                token = constraint.next(-1, maxNewTokens - generated);
            } else {
                constraint.restrict(logits[0]);
                token = constraint.next(sampler.sample(logits[0]), maxNewTokens - generated);
            }
            if (endTokens.contains(token)) {
                finish = GenerationResult.Finish.STOP;
                done = true;
                return;
            }
            produce(token);
            int[] stretch = constraint == null ? new int[0] : constraint.stretch(maxNewTokens - generated);
            for (int forced : stretch) {
                produce(forced);
            }
            int[] chosen = new int[1 + stretch.length];
            chosen[0] = token;
            System.arraycopy(stretch, 0, chosen, 1, stretch.length);
            settle(chosen);
        }

        /** After the chosen tokens: whether the answer ends with them; they are computed in the next step. */
        private void settle(int[] chosen) {
            if (stops.stopped()) {
                finish = GenerationResult.Finish.STOP;
                done = true;
            } else if (constraint != null && constraint.finished()) {
                finish = constraint.cut() ? GenerationResult.Finish.LENGTH : GenerationResult.Finish.STOP;
                done = true;
            } else if (generated >= maxNewTokens) {
                done = true;
            }
            pending = chosen;
            pendingFrom = 0;
        }

        /**
         * Writes what the schema alone decides before the first token (a call's opening and its name when only one
         * tool may be called): computed in the next step, and the first token sampled from its last one's logits.
         */
        private boolean lead() {
            int[] lead = constraint.stretch(maxNewTokens);
            if (lead.length == 0) {
                return false;
            }
            for (int forced : lead) {
                produce(forced);
            }
            settle(lead);
            return true;
        }

        /** An answer token: past the schema's state, counted, penalised from now on, detokenized and streamed. */
        private void produce(int token) {
            if (constraint != null) {
                constraint.accept(token);
            }
            sampler.accept(token);
            answer[generated++] = token;
            if (firstTokenNanos == 0) {
                firstTokenNanos = System.nanoTime() - submittedAt;
            }
            emit(stops.offer(detokenizer.push(token)));
        }

        @Override
        public Outcome finish() {
            if (reading()) { // stopped before the prompt was read
                long end = System.nanoTime();
                Timings timings = new Timings(begin - submittedAt, end - begin, 0, end - submittedAt);
                return new Outcome(new GenerationResult("", prompt.length, start, 0, finish, timings),
                        Arrays.copyOf(prompt, position), null);
            }
            if (!stops.stopped()) {
                emit(stops.offer(detokenizer.flush()));
                if (stops.stopped() && finish == GenerationResult.Finish.LENGTH) {
                    finish = GenerationResult.Finish.STOP;
                }
                emit(stops.finish());
            }
            releaseHeldText();
            long end = System.nanoTime();
            Timings timings = new Timings(begin - submittedAt, prefillNanos, end - begin - prefillNanos,
                    firstTokenNanos == 0 ? end - submittedAt : firstTokenNanos);
            GenerationResult result = new GenerationResult(stops.released(), prompt.length, start, generated, finish, timings);
            int[] answerTokens = stops.stopped() ? null : Arrays.copyOf(answer, generated);
            return new Outcome(result, Arrays.copyOf(inCache, position), answerTokens);
        }

        @Override
        public void discard() {
            done = true;
        }

        private void emit(String text) {
            if (!openings.isEmpty() && !released) {
                withheld.append(text);
                String so = withheld.toString();
                for (String opening : openings) {
                    if (so.startsWith(opening) || opening.startsWith(so)) {
                        return; // a call, or may still become one
                    }
                }
                released = true;
                text = so;
            }
            if (!text.isEmpty()) {
                listener.onText(text);
            }
        }

        /** Releases text held back because it began like an opening, when the answer ended before it did. */
        private void releaseHeldText() {
            String so = withheld.toString();
            if (!released && openings.stream().noneMatch(so::startsWith)) {
                released = true;
                if (!so.isEmpty()) {
                    listener.onText(so);
                }
            }
        }
    }
}
