package dev.allinone.web.errors;

import java.io.IOException;

/** A request body that is not UTF-8 (JSON must be); an IOException because it surfaces while reading. */
public class MalformedBodyException extends IOException {

    public MalformedBodyException(String message) {
        super(message);
    }
}
