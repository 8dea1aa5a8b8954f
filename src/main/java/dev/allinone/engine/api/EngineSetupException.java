package dev.allinone.engine.api;

/**
 * The engine cannot run as this JVM or configuration is set up (the Vector API module missing, a memory budget
 * that cannot hold the model): startup stops with {@link #action()} as advice, without a stack trace.
 */
public class EngineSetupException extends RuntimeException {

    private final String action;

    public EngineSetupException(String message, String action) {
        super(message);
        this.action = action;
    }

    /** What the user can do about it. */
    public String action() {
        return action;
    }
}
