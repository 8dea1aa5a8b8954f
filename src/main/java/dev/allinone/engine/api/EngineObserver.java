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

    /** A request was refused or dropped: full queue, waited too long, past its deadline, shutting down. */
    default void rejected(String cause) {
    }

    EngineObserver NONE = new EngineObserver() {
    };
}
