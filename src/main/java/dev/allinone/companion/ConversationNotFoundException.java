package dev.allinone.companion;

/** No live conversation has this id: it never existed, was deleted, or was forgotten after idling. */
public class ConversationNotFoundException extends RuntimeException {

    private final String conversationId;

    public ConversationNotFoundException(String conversationId) {
        super("No conversation " + conversationId + " (it may have expired)");
        this.conversationId = conversationId;
    }

    public String conversationId() {
        return conversationId;
    }
}
