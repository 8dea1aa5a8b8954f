package dev.allinone.conversation;

import java.time.Instant;

/**
 * A message of a conversation as people see it. {@code sentiment} is the label the support desk gave a user
 * message (a name of {@code sentiment.Sentiment}), kept as text: the store keeps it, it does not interpret it.
 */
public record HistoryEntry(String role, String text, String sentiment, Instant at) {

    public static HistoryEntry user(String text, String sentiment, Instant at) {
        return new HistoryEntry("user", text, sentiment, at);
    }

    public static HistoryEntry assistant(String text, Instant at) {
        return new HistoryEntry("assistant", text, null, at);
    }
}
