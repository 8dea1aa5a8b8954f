package dev.allinone.engine.api;

/**
 * A request the engine cannot take as it is (a sampling parameter out of range, an unusable set of allowed
 * answers, a conversation the chat template rejects): the client's mistake, answered with 400 and the name of
 * the parameter at fault.
 */
public class InvalidRequestException extends IllegalArgumentException {

    private final String param;

    public InvalidRequestException(String message, String param) {
        super(message);
        this.param = param;
    }

    /** The request parameter at fault, or null when it is the request as a whole. */
    public String param() {
        return param;
    }
}
