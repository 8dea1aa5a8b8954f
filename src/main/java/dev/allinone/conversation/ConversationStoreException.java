package dev.allinone.conversation;

/** The conversation store could not be read or written (the database or server is unavailable). */
public class ConversationStoreException extends RuntimeException {

    public ConversationStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
