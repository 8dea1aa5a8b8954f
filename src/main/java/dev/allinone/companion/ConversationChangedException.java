package dev.allinone.companion;

/**
 * A turn could not be kept because its conversation changed meanwhile: another replica answered a message of
 * the same conversation at the same time. Nothing of this turn was kept; sending the message again works.
 */
public class ConversationChangedException extends RuntimeException {

    private final String conversationId;

    public ConversationChangedException(String id) {
        super("Conversation " + id + " was changed by another request at the same time; nothing of this message"
                + " was kept, send it again");
        this.conversationId = id;
    }

    public String conversationId() {
        return conversationId;
    }
}
