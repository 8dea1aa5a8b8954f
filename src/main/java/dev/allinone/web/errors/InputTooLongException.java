package dev.allinone.web.errors;

/** A text is longer than {@code allinone.api.max-input-tokens}. */
public class InputTooLongException extends RuntimeException {

    private final String field;
    private final int tokens;
    private final int limit;

    public InputTooLongException(String field, int tokens, int limit) {
        super("'" + field + "' is " + tokens + " tokens long; the limit is " + limit + " tokens");
        this.field = field;
        this.tokens = tokens;
        this.limit = limit;
    }

    String field() {
        return field;
    }

    int tokens() {
        return tokens;
    }

    int limit() {
        return limit;
    }
}
