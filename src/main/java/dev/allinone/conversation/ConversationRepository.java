package dev.allinone.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where conversations are kept. Implementations write a conversation whole and durably (it is on disk, or in
 * the server, before {@link #save} returns), so that a crash leaves every conversation as it was after some
 * complete turn. Replace the bean to keep them elsewhere.
 */
public interface ConversationRepository extends AutoCloseable {

    Optional<ConversationRecord> find(String id);

    /**
     * Writes {@code conversation} if the stored one is still at {@code conversation.version() - 1} (absent, for
     * version 1). Returns false, writing nothing, when it is not: another writer came first, or the conversation
     * was deleted meanwhile.
     */
    boolean save(ConversationRecord conversation);

    /** Deletes a conversation; false if there was none. */
    boolean delete(String id);

    /** Deletes the conversations whose last turn was before {@code cutoff}; returns their ids. */
    List<String> deleteIdleSince(Instant cutoff);

    /** Deletes the least recently updated conversations beyond the newest {@code keep}; returns their ids. */
    List<String> deleteBeyond(long keep);

    long count();

    /** How durable a kept turn is, for the health details; null when there is nothing to say. */
    default String durability() {
        return null;
    }

    /** Throws if the store cannot be reached (for the health check). */
    void check();

    @Override
    default void close() {
    }
}
