package dev.allinone.web.errors;

/** Something a request names does not exist (a model, say): 404, with the parameter that named it. */
public class NotFoundException extends RuntimeException {

    private final String param;

    public NotFoundException(String message, String param) {
        super(message);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
