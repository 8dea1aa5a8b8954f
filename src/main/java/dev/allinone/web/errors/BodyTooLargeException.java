package dev.allinone.web.errors;

import java.io.IOException;

/** A request body larger than allinone.api.max-body-size; an IOException because it surfaces while reading. */
public class BodyTooLargeException extends IOException {

    public BodyTooLargeException(long limit) {
        super("The request body is larger than the limit of " + limit + " bytes");
    }
}
