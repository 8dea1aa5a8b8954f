package dev.allinone.engine.scheduling;

import dev.allinone.engine.transformer.Segment;

import java.util.function.Function;

/**
 * A request while it is in the batch: asked at every step for the rows it computes next, given their logits, and
 * asked for its result once it has none left. Called on the inference thread only.
 *
 * @param <T> the request's result
 */
public interface Sequence<T> {

    /**
     * The rows this sequence computes in the next step: at most {@code budget} tokens (at least 1 is offered), or
     * null when it is done (finished, stopped, cancelled). It may throw to fail its request.
     */
    Segment next(int budget);

    /** The logits the step computed for the segment {@link #next} gave. It may throw to fail its request. */
    void accept(float[][] logits);

    /** Once {@link #next} returned null: the result; frees what the sequence holds (even when it throws). */
    T finish();

    /** After a failure: frees what the sequence holds; its state is not trusted. */
    void discard();

    /**
     * This sequence with more done when it ends: {@code after} turns its result into the request's (and frees
     * what the caller lent it, such as its KV cache); {@code onDiscard} frees that after a failure.
     */
    default <R> Sequence<R> then(Function<? super T, ? extends R> after, Runnable onDiscard) {
        Sequence<T> inner = this;
        return new Sequence<>() {
            @Override
            public Segment next(int budget) {
                return inner.next(budget);
            }

            @Override
            public void accept(float[][] logits) {
                inner.accept(logits);
            }

            @Override
            public R finish() {
                T result;
                try {
                    result = inner.finish();
                } catch (RuntimeException | Error e) {
                    onDiscard.run();
                    throw e;
                }
                return after.apply(result);
            }

            @Override
            public void discard() {
                try {
                    inner.discard();
                } finally {
                    onDiscard.run();
                }
            }
        };
    }
}
