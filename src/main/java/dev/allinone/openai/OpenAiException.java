package dev.allinone.openai;

/** An error of the OpenAI-compatible API, with OpenAI's error type. */
class OpenAiException extends RuntimeException {

    private final int status;
    private final String type;

    OpenAiException(int status, String type, String message) {
        super(message);
        this.status = status;
        this.type = type;
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }
}
