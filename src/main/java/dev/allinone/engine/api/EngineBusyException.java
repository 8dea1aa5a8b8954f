package dev.allinone.engine.api;

/** The model is taken and too many requests wait for it, or this one waited too long: try again later. */
public class EngineBusyException extends RuntimeException {

    public enum Reason {
        /** The wait queue is full. */
        QUEUE_FULL,
        /** The request waited longer than allinone.engine.queue-timeout. */
        QUEUE_TIMEOUT,
        /** The service is shutting down. */
        SHUTTING_DOWN
    }

    private final Reason reason;

    public EngineBusyException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
