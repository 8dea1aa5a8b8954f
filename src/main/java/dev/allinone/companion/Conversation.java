package dev.allinone.companion;

import dev.allinone.sentiment.Sentiment;
import dev.langchain4j.data.message.ChatMessage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * One conversation: what the companion remembers (its memory window, system message included) and the
 * history shown to people (each message with the sentiment of user messages).
 */
public final class Conversation {

    /** A message as people see it; {@code sentiment} is set on user messages. */
    public record Entry(String role, String text, Sentiment sentiment, Instant at) {
    }

    private final String id;
    private final Instant createdAt = Instant.now();
    private final int historyLimit;
    /**
     * Held for a whole turn, so two requests to one conversation take turns instead of interleaving. A
     * semaphore rather than a lock: a streamed turn ends on another thread than the one that began it.
     */
    private final Semaphore turn = new Semaphore(1, true);
    private List<ChatMessage> memory = List.of();
    private final List<Entry> history = new ArrayList<>();

    Conversation(String id, int historyLimit) {
        this.id = id;
        this.historyLimit = historyLimit;
    }

    public String id() {
        return id;
    }

    public Instant createdAt() {
        return createdAt;
    }

    synchronized List<ChatMessage> memory() {
        return memory;
    }

    synchronized void memory(List<ChatMessage> messages) {
        this.memory = List.copyOf(messages);
    }

    public synchronized List<Entry> history() {
        return List.copyOf(history);
    }

    synchronized void record(Entry... entries) {
        for (Entry e : entries) {
            history.add(e);
        }
        while (history.size() > historyLimit) {
            history.remove(0);
        }
    }

    Semaphore turn() {
        return turn;
    }
}
