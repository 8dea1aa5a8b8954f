package dev.allinone.conversation;

import dev.langchain4j.data.message.ChatMessage;

import java.time.Instant;
import java.util.List;

/**
 * A conversation as it is stored: written whole, at the end of a turn, so that it is always the state after
 * some complete turn.
 *
 * @param owner     the API key that created it, or null when API keys are off
 * @param updatedAt when its last turn completed (idle expiry counts from here)
 * @param version   how many times it has been written; a write names the version it read, so that two writers
 *                  never silently overwrite each other
 * @param memory    what the companion remembers: its memory window, system message included
 * @param history   what people see: every message, up to the history limit
 */
public record ConversationRecord(String id, String owner, Instant createdAt, Instant updatedAt, long version,
                                 List<ChatMessage> memory, List<HistoryEntry> history) {

    public ConversationRecord {
        memory = List.copyOf(memory);
        history = List.copyOf(history);
    }

    /** A conversation that has not been written yet (version 0). */
    public static ConversationRecord create(String id, String owner, Instant now) {
        return new ConversationRecord(id, owner, now, now, 0, List.of(), List.of());
    }

    /** The next version of this conversation. */
    public ConversationRecord next(List<ChatMessage> memory, List<HistoryEntry> history, Instant now) {
        return new ConversationRecord(id, owner, createdAt, now, version + 1, memory, history);
    }
}
