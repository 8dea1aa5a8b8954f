package dev.allinone.companion;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The live conversations, in memory and bounded: at most {@code maxConversations}, least recently used
 * forgotten first, and each forgotten after {@code idleExpiry} without use. It is also the companion's
 * {@link ChatMemoryStore}, so a conversation's memory and its history are forgotten together.
 *
 * <p>Conversations are created only by {@link #create()}, with a random id; memory updates for an unknown or
 * deleted conversation are dropped, so a late write cannot bring a deleted conversation back.
 */
public class ConversationStore implements ChatMemoryStore {

    private final Cache<String, Conversation> conversations;
    private final int historyLimit;
    private final List<Consumer<String>> forgetListeners = new CopyOnWriteArrayList<>();

    public ConversationStore(CompanionProperties properties) {
        this.historyLimit = properties.historyLimit();
        this.conversations = Caffeine.newBuilder()
                .maximumSize(properties.maxConversations())
                .expireAfterAccess(properties.idleExpiry())
                .scheduler(Scheduler.systemScheduler())
                .executor(Runnable::run) // forget listeners run at once, on the thread that removed
                .<String, Conversation>removalListener((id, conversation, cause) -> {
                    if (id != null) {
                        forgetListeners.forEach(listener -> listener.accept(id));
                    }
                })
                .build();
    }

    /** A new, empty conversation with a random, unguessable id. */
    public Conversation create() {
        Conversation conversation = new Conversation(UUID.randomUUID().toString(), historyLimit);
        conversations.put(conversation.id(), conversation);
        return conversation;
    }

    public Optional<Conversation> find(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(conversations.getIfPresent(id));
    }

    /** Forgets a conversation; false if there was none. */
    public boolean delete(String id) {
        return id != null && conversations.asMap().remove(id) != null;
    }

    public long size() {
        conversations.cleanUp();
        return conversations.estimatedSize();
    }

    /** Called with the id of every conversation that is forgotten: deleted, expired or evicted. */
    public void onForget(Consumer<String> listener) {
        forgetListeners.add(listener);
    }

    // ---- ChatMemoryStore ------------------------------------------------------------------------------------

    @Override
    public List<ChatMessage> getMessages(Object memoryId) {
        return find(String.valueOf(memoryId)).map(Conversation::memory).orElse(List.of());
    }

    @Override
    public void updateMessages(Object memoryId, List<ChatMessage> messages) {
        find(String.valueOf(memoryId)).ifPresent(c -> c.memory(messages));
    }

    @Override
    public void deleteMessages(Object memoryId) {
        find(String.valueOf(memoryId)).ifPresent(c -> c.memory(List.of()));
    }
}
