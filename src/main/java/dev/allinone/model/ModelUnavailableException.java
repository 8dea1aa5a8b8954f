package dev.allinone.model;

import java.nio.file.Path;

/** The model is not on disk and cannot be fetched: startup stops with {@link #action()} as advice. */
public class ModelUnavailableException extends RuntimeException {

    private final Path directory;
    private final String action;

    public ModelUnavailableException(String message, Path directory, String action, Throwable cause) {
        super(message, cause);
        this.directory = directory;
        this.action = action;
    }

    public Path directory() {
        return directory;
    }

    /** What the user can do about it. */
    public String action() {
        return action;
    }
}
