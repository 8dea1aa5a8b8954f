package dev.allinone.engine.api;

/** Told what the engine does, for metrics. Called on the inference thread: must be quick. */
public interface EngineObserver {

    /** A request left the queue after waiting this long. */
    default void started(long waitedNanos) {
    }

    default void generated(GenerationResult result) {
    }

    default void chose(ChoiceResult result) {
    }

    /** One step of the batch: a forward pass over {@code sequences} requests' {@code tokens} rows. */
    default void stepped(int sequences, int tokens, long nanos) {
    }

    /** A request was refused or dropped: full queue, waited too long, past its deadline, shutting down. */
    default void rejected(String cause) {
    }

    EngineObserver NONE = new EngineObserver() {
    };
}
