package dev.allinone.engine;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The prefill-then-decode loop for one answer, run on the inference thread with the model to itself.
 * Every KV cache it opens is closed before it returns, whatever happens.
 */
final class TextGenerator {

    private final HfTokenizer tokenizer;
    private final Set<Integer> endTokens;

    TextGenerator(HfTokenizer tokenizer, Set<Integer> endTokens) {
        this.tokenizer = tokenizer;
        this.endTokens = endTokens;
    }

    /**
     * @param prompt        prompt tokens, already checked against the context limit
     * @param maxNewTokens  cap on new tokens, already reduced to what the context limit leaves
     * @param submittedAt   {@link System#nanoTime()} when the request was queued, for the timings
     */
    GenerationResult generate(Transformer transformer, int[] prompt, GenerationSettings settings, int maxNewTokens, TokenListener listener,
                              BooleanSupplier cancelled, long submittedAt) {
        long start = System.nanoTime();
        Sampler sampler = new Sampler(settings.sampling(), tokenizer.size(), transformer.vocabularySize(), prompt,
                new SplittableRandom());
        StreamingDetokenizer detokenizer = new StreamingDetokenizer(tokenizer);
        StopSequenceFilter stops = new StopSequenceFilter(settings.stopSequences());

        int generated = 0;
        long prefillNanos;
        long firstTokenNanos = 0;
        GenerationResult.Finish finish = GenerationResult.Finish.LENGTH;
        try (KvCache cache = transformer.newCache()) {
            float[] logits = transformer.prefill(cache, 0, prompt);
            prefillNanos = System.nanoTime() - start;
            int position = prompt.length;
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
                generated++;
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
                logits = transformer.next(cache, position++, token);
            }
        }
        if (!stops.stopped()) {
            emit(listener, stops.offer(detokenizer.flush()));
            if (stops.stopped() && finish == GenerationResult.Finish.LENGTH) {
                finish = GenerationResult.Finish.STOP;
            }
            emit(listener, stops.finish());
        }
        long end = System.nanoTime();
        long decodeStart = start + prefillNanos;
        Timings timings = new Timings(start - submittedAt, prefillNanos, end - decodeStart,
                firstTokenNanos == 0 ? end - submittedAt : firstTokenNanos);
        return new GenerationResult(stops.released(), prompt.length, generated, finish, timings);
    }

    private static void emit(TokenListener listener, String text) {
        if (!text.isEmpty()) {
            listener.onText(text);
        }
    }
}
