package dev.allinone.engine.constraint;

import dev.allinone.engine.api.InvalidRequestException;

/** A JSON schema the constrained decoder cannot guarantee: answered with 400, naming the keyword. */
public final class UnsupportedSchemaException extends InvalidRequestException {

    private final String keyword;

    public UnsupportedSchemaException(String message, String keyword) {
        super(message, "response_format");
        this.keyword = keyword;
    }

    /** The schema keyword at fault, or null when it is the schema's size or depth. */
    public String keyword() {
        return keyword;
    }
}
