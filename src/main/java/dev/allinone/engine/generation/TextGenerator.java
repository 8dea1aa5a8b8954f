package dev.allinone.engine.generation;

import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.Timings;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.engine.text.StopSequenceFilter;
import dev.allinone.engine.text.StreamingDetokenizer;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The prefill-then-decode loop for one answer, run on the inference thread with the model to itself, in a
 * KV cache the caller lends it.
 */
public final class TextGenerator {

    private final HfTokenizer tokenizer;
    private final Set<Integer> endTokens;

    public TextGenerator(HfTokenizer tokenizer, Set<Integer> endTokens) {
        this.tokenizer = tokenizer;
        this.endTokens = endTokens;
    }

    /**
     * The result; the tokens whose keys and values the cache now holds (prompt and the answer tokens fed
     * back); and the answer's tokens, when they are exactly the answer's text (no stop sequence cut it).
     */
    public record Outcome(GenerationResult result, int[] inCache, int[] answerTokens) {
    }

    /**
     * @param cache         a cache whose positions before {@code start} already hold the prompt's first tokens
     * @param prompt        prompt tokens, already checked against the context limit
     * @param maxNewTokens  cap on new tokens, already reduced to what the context limit leaves
     * @param submittedAt   {@link System#nanoTime()} when the request was queued, for the timings
     */
    public Outcome generate(Transformer transformer, KvCache cache, int start, int[] prompt, GenerationSettings settings,
                     int maxNewTokens, TokenListener listener, BooleanSupplier cancelled, long submittedAt) {
        long begin = System.nanoTime();
        Sampler sampler = new Sampler(settings.sampling(), tokenizer.size(), transformer.vocabularySize(), prompt,
                new SplittableRandom());
        StreamingDetokenizer detokenizer = new StreamingDetokenizer(tokenizer);
        StopSequenceFilter stops = new StopSequenceFilter(settings.stopSequences());

        int[] inCache = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        int[] answer = new int[maxNewTokens];
        int position = prompt.length;
        int generated = 0;
        long firstTokenNanos = 0;
        GenerationResult.Finish finish = GenerationResult.Finish.LENGTH;

        int last = ChunkedPrefill.leading(transformer, cache, start, Arrays.copyOfRange(prompt, start, prompt.length),
                cancelled);
        if (last < 0) {
            long end = System.nanoTime();
            Timings timings = new Timings(begin - submittedAt, end - begin, 0, end - submittedAt);
            return new Outcome(new GenerationResult("", prompt.length, start, 0, GenerationResult.Finish.CANCELLED, timings),
                    Arrays.copyOf(prompt, start), null);
        }
        float[] logits = transformer.prefill(cache, last, Arrays.copyOfRange(prompt, last, prompt.length));
        long prefillNanos = System.nanoTime() - begin;
        while (true) {
            if (cancelled.getAsBoolean()) {
                finish = GenerationResult.Finish.CANCELLED;
                break;
            }
            int token = sampler.sample(logits);
            if (endTokens.contains(token)) {
                finish = GenerationResult.Finish.STOP;
                break;
            }
            sampler.accept(token);
            answer[generated++] = token;
            if (firstTokenNanos == 0) {
                firstTokenNanos = System.nanoTime() - submittedAt;
            }
            emit(listener, stops.offer(detokenizer.push(token)));
            if (stops.stopped()) {
                finish = GenerationResult.Finish.STOP;
                break;
            }
            if (generated >= maxNewTokens) {
                break;
            }
            logits = transformer.next(cache, position, token);
            inCache[position++] = token;
        }
        if (!stops.stopped()) {
            emit(listener, stops.offer(detokenizer.flush()));
            if (stops.stopped() && finish == GenerationResult.Finish.LENGTH) {
                finish = GenerationResult.Finish.STOP;
            }
            emit(listener, stops.finish());
        }
        long end = System.nanoTime();
        Timings timings = new Timings(begin - submittedAt, prefillNanos, end - begin - prefillNanos,
                firstTokenNanos == 0 ? end - submittedAt : firstTokenNanos);
        GenerationResult result = new GenerationResult(stops.released(), prompt.length, start, generated, finish, timings);
        int[] answerTokens = stops.stopped() ? null : Arrays.copyOf(answer, generated);
        return new Outcome(result, Arrays.copyOf(inCache, position), answerTokens);
    }

    private static void emit(TokenListener listener, String text) {
        if (!text.isEmpty()) {
            listener.onText(text);
        }
    }
}
