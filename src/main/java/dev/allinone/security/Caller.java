package dev.allinone.security;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who sent an API request: the name of its API key, or nobody in particular when keys are off. Conversations
 * belong to their creator's key; {@link #owner()} is what the conversation store compares.
 */
public record Caller(String keyName) {

    /** The request attribute that carries the caller from the API filter to the controllers. */
    public static final String ATTRIBUTE = Caller.class.getName();

    /** Any caller when API keys are off. */
    public static final Caller ANONYMOUS = new Caller(null);

    /** The owner of the conversations this caller creates and may see; null when keys are off (all may). */
    public String owner() {
        return keyName;
    }

    public static Caller of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Caller caller ? caller : ANONYMOUS;
    }
}
