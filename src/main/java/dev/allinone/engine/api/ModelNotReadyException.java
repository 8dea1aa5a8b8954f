package dev.allinone.engine.api;

/** The model is still being downloaded or loaded (or failed to): try again later. */
public class ModelNotReadyException extends RuntimeException {

    public ModelNotReadyException(String message) {
        super(message);
    }
}
