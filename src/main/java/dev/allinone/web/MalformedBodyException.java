package dev.allinone.web;

import java.io.IOException;

/** A request body that is not UTF-8 (JSON must be); an IOException because it surfaces while reading. */
class MalformedBodyException extends IOException {

    MalformedBodyException(String message) {
        super(message);
    }
}
