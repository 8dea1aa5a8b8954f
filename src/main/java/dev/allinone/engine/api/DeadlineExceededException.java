package dev.allinone.engine.api;

/** The request's deadline passed before its answer was complete; the model stopped working on it. */
public class DeadlineExceededException extends RuntimeException {

    public DeadlineExceededException(String message) {
        super(message);
    }
}
