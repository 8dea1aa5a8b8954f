package dev.allinone.companion;

import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.sentiment.SentimentScores;
import dev.langchain4j.data.message.ChatMessage;

import java.time.Instant;
import java.util.List;

/**
 * A support conversation turn, as the product defines it: every user message is labelled with its sentiment
 * and answered by the companion, and both are kept in the conversation's history.
 */
public class ConversationService {

    /** What one turn produced. */
    public record Turn(String conversationId, String reply, SentimentScores sentiment) {
    }

    private final ConversationStore store;
    private final Companion companion;
    private final SentimentAnalyst analyst;

    public ConversationService(ConversationStore store, Companion companion, SentimentAnalyst analyst) {
        this.store = store;
        this.companion = companion;
        this.analyst = analyst;
        // LangChain4j keeps a ChatMemory object per conversation id; drop it when the conversation goes.
        store.onForget(companion::evictChatMemory);
    }

    /**
     * Labels and answers {@code message} in conversation {@code conversationId}, or in a new conversation when
     * it is null. Turns of one conversation run one at a time. If the model fails, the conversation is left as
     * it was before the turn.
     */
    public Turn chat(String conversationId, String message) {
        boolean created = conversationId == null;
        Conversation conversation = created ? store.create() : find(conversationId);
        conversation.turnLock().lock();
        try {
            if (store.find(conversation.id()).isEmpty()) {
                throw new ConversationNotFoundException(conversation.id()); // deleted while this turn waited
            }
            List<ChatMessage> memoryBefore = conversation.memory();
            try {
                SentimentScores sentiment = SentimentScores.of(analyst.analyzeWithDetails(message));
                String reply = companion.chat(conversation.id(), message);
                Instant now = Instant.now();
                conversation.record(new Conversation.Entry("user", message, sentiment.sentiment(), now),
                        new Conversation.Entry("assistant", reply, null, now));
                return new Turn(conversation.id(), reply, sentiment);
            } catch (RuntimeException e) {
                if (created) {
                    store.delete(conversation.id());
                } else {
                    conversation.memory(memoryBefore);
                }
                throw e;
            }
        } finally {
            conversation.turnLock().unlock();
        }
    }

    public Conversation find(String conversationId) {
        return store.find(conversationId).orElseThrow(() -> new ConversationNotFoundException(conversationId));
    }

    public void delete(String conversationId) {
        if (!store.delete(conversationId)) {
            throw new ConversationNotFoundException(conversationId);
        }
    }
}
