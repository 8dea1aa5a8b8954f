package dev.allinone.companion;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;

import java.util.ArrayList;
import java.util.List;

/**
 * What the companion remembers of one conversation: its system message and the most recent messages, within
 * a message cap and a token budget.
 *
 * <p>Unlike a sliding window, it forgets in bulk: when a new message takes it past either limit, the oldest
 * messages go until half of each limit is used. The model then sees the same history, growing, for many
 * turns in a row, and the engine can keep reusing the conversation's computed state; a window that slid by
 * one message every turn would change the start of every prompt and force the whole history to be computed
 * again each time. The limits leave room for the next user message, so the model never sees more than
 * {@code maxMessages} messages besides the system prompt.
 */
public final class ConversationMemory implements ChatMemory {

    /** Tokens the chat template adds around each message (ChatML: role, newlines, control tokens). */
    static final int TEMPLATE_TOKENS_PER_MESSAGE = 5;

    private final Object id;
    private final ChatMemoryStore store;
    private final int maxMessages;
    private final int maxTokens;
    private final TokenCountEstimator tokens;

    public ConversationMemory(Object id, ChatMemoryStore store, int maxMessages, int maxTokens, TokenCountEstimator tokens) {
        this.id = id;
        this.store = store;
        this.maxMessages = maxMessages;
        this.maxTokens = maxTokens;
        this.tokens = tokens;
    }

    @Override
    public Object id() {
        return id;
    }

    @Override
    public void add(ChatMessage message) {
        List<ChatMessage> messages = new ArrayList<>(store.getMessages(id));
        if (message instanceof SystemMessage system) {
            SystemMessage current = SystemMessage.findFirst(messages).orElse(null);
            if (system.equals(current)) {
                return;
            }
            messages.removeIf(m -> m instanceof SystemMessage);
            messages.add(0, system);
        } else {
            messages.add(message);
        }
        if (over(messages, maxMessages - 1, maxTokens)) {
            trim(messages);
        }
        store.updateMessages(id, messages);
    }

    /** Drops the oldest messages (never the system message or the newest) until half of each limit is used. */
    private void trim(List<ChatMessage> messages) {
        int first = !messages.isEmpty() && messages.get(0) instanceof SystemMessage ? 1 : 0;
        while (messages.size() - first > 1 && over(messages, maxMessages / 2, maxTokens / 2)) {
            messages.remove(first);
        }
    }

    private boolean over(List<ChatMessage> messages, int messageLimit, int tokenLimit) {
        int count = 0;
        int total = 0;
        for (ChatMessage m : messages) {
            if (!(m instanceof SystemMessage)) {
                count++;
                total += tokens.estimateTokenCountInMessage(m) + TEMPLATE_TOKENS_PER_MESSAGE;
            }
        }
        return count > messageLimit || total > tokenLimit;
    }

    @Override
    public List<ChatMessage> messages() {
        return new ArrayList<>(store.getMessages(id));
    }

    @Override
    public void clear() {
        store.deleteMessages(id);
    }
}
