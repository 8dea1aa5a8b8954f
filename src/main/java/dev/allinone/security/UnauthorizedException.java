package dev.allinone.security;

/** An API request without a valid API key, while keys are required. */
public class UnauthorizedException extends RuntimeException {

    public UnauthorizedException(String message) {
        super(message);
    }
}
