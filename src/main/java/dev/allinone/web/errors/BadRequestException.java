package dev.allinone.web.errors;

/** A request the API cannot take as sent (a malformed header or body, say), with the part at fault if known. */
public class BadRequestException extends RuntimeException {

    private final String param;

    public BadRequestException(String message) {
        this(message, null);
    }

    public BadRequestException(String message, String param) {
        super(message);
        this.param = param;
    }

    /** The header, field or parameter at fault, or null. */
    public String param() {
        return param;
    }
}
