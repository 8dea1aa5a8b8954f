package dev.allinone.conversation;

import dev.allinone.sentiment.Sentiment;

import java.time.Instant;

/** A message of a conversation as people see it; {@code sentiment} is set on user messages. */
public record HistoryEntry(String role, String text, Sentiment sentiment, Instant at) {

    public static HistoryEntry user(String text, Sentiment sentiment, Instant at) {
        return new HistoryEntry("user", text, sentiment, at);
    }

    public static HistoryEntry assistant(String text, Instant at) {
        return new HistoryEntry("assistant", text, null, at);
    }
}
