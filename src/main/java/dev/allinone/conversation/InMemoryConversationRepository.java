package dev.allinone.conversation;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Conversations in this process only ({@code allinone.conversations.store=memory}): gone at restart. */
public class InMemoryConversationRepository implements ConversationRepository {

    private final ConcurrentHashMap<String, ConversationRecord> conversations = new ConcurrentHashMap<>();

    @Override
    public Optional<ConversationRecord> find(String id) {
        return Optional.ofNullable(conversations.get(id));
    }

    @Override
    public boolean save(ConversationRecord conversation) {
        long expected = conversation.version() - 1;
        boolean[] saved = {false};
        conversations.compute(conversation.id(), (id, stored) -> {
            long current = stored == null ? 0 : stored.version();
            if (current != expected) {
                return stored;
            }
            saved[0] = true;
            return conversation;
        });
        return saved[0];
    }

    @Override
    public boolean delete(String id) {
        return conversations.remove(id) != null;
    }

    @Override
    public List<String> deleteIdleSince(Instant cutoff) {
        return conversations.values().stream()
                .filter(c -> c.updatedAt().isBefore(cutoff))
                .filter(c -> conversations.remove(c.id(), c))
                .map(ConversationRecord::id)
                .toList();
    }

    @Override
    public List<String> deleteBeyond(long keep) {
        long excess = conversations.size() - keep;
        if (excess <= 0) {
            return List.of();
        }
        return conversations.values().stream()
                .sorted(Comparator.comparing(ConversationRecord::updatedAt))
                .limit(excess)
                .filter(c -> conversations.remove(c.id(), c))
                .map(ConversationRecord::id)
                .toList();
    }

    @Override
    public long count() {
        return conversations.size();
    }

    @Override
    public void check() {
    }
}
