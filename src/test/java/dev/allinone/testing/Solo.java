package dev.allinone.testing;

import dev.allinone.engine.scheduling.Sequence;
import dev.allinone.engine.transformer.Segment;
import dev.allinone.engine.transformer.Transformer;

import java.util.List;

/** Runs one sequence to its end with the model to itself, as the batch does when it is the only request. */
public final class Solo {

    private Solo() {
    }

    public static <T> T run(Transformer transformer, Sequence<T> sequence, int stepTokens) {
        try {
            Segment segment;
            while ((segment = sequence.next(stepTokens)) != null) {
                sequence.accept(transformer.step(List.of(segment)).getFirst());
            }
        } catch (RuntimeException | Error e) {
            sequence.discard();
            throw e;
        }
        return sequence.finish();
    }
}
