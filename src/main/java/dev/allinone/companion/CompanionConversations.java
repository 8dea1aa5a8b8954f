package dev.allinone.companion;

import dev.allinone.conversation.ConversationProperties;
import dev.allinone.conversation.ConversationRecord;
import dev.allinone.conversation.ConversationRepository;
import dev.allinone.conversation.HistoryEntry;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The companion's conversations over a {@link ConversationRepository}: who may see which, one turn at a time
 * per conversation, and nothing kept of a turn until it completes.
 *
 * <p>A turn works on a copy of the conversation read when it begins (fresh, so a replica sees what another
 * wrote). While it runs, the companion's memory reads and writes that copy — this class is the companion's
 * {@link ChatMemoryStore} — and {@link PendingTurn#commit} writes the whole conversation once, durably, before the
 * reply goes out. A turn that does not complete writes nothing, so a failure, a timeout or a crash leaves the
 * conversation as it was after its last complete turn.
 *
 * <p>Conversations idle for {@code idleExpiry} are deleted (checked on every read, and swept in the
 * background), and past {@code maxConversations} the least recently used are.
 */
public class CompanionConversations implements ChatMemoryStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompanionConversations.class);

    private final ConversationRepository repository;
    private final Duration idleExpiry;
    private final long maxConversations;
    private final int historyLimit;
    private final TurnLocks locks = new TurnLocks();
    /** The turns in progress in this process, by conversation id: at most one each. */
    private final ConcurrentHashMap<String, PendingTurn> turns = new ConcurrentHashMap<>();
    private final List<Consumer<String>> forgetListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService sweeper;

    public CompanionConversations(ConversationRepository repository, ConversationProperties properties) {
        this.repository = repository;
        this.idleExpiry = properties.idleExpiry();
        this.maxConversations = properties.maxConversations();
        this.historyLimit = properties.historyLimit();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("allinone-conversation-expiry").factory());
        long period = Math.clamp(idleExpiry.toMillis() / 4, 100, 60_000);
        sweeper.scheduleWithFixedDelay(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    /** The conversation, if it exists and {@code owner} may see it (a null owner: API keys are off, all may). */
    public Optional<ConversationRecord> find(String owner, String id) {
        return id == null ? Optional.empty() : live(id).filter(c -> visibleTo(c, owner));
    }

    /** Deletes a conversation {@code owner} may see; false if there is none. */
    public boolean delete(String owner, String id) {
        if (find(owner, id).isEmpty() || !repository.delete(id)) {
            return false;
        }
        forgotten(List.of(id));
        return true;
    }

    /** Conversations kept. */
    public long size() {
        return repository.count();
    }

    /** Called with the id of every conversation that is forgotten here: deleted, expired or evicted. */
    public void onForget(Consumer<String> listener) {
        forgetListeners.add(listener);
    }

    /**
     * Begins a turn of conversation {@code id} (a new conversation of {@code owner} when null), waiting at most
     * {@code waitNanos} for an earlier turn of it to end. Null when the wait ran out.
     *
     * @throws ConversationNotFoundException when there is no such conversation that {@code owner} may see
     */
    public PendingTurn begin(String owner, String id, long waitNanos) throws InterruptedException {
        if (id == null) {
            ConversationRecord created = ConversationRecord.create(UUID.randomUUID().toString(), owner, now());
            return start(created, locks.acquire(created.id(), Long.MAX_VALUE), true);
        }
        find(owner, id).orElseThrow(() -> new ConversationNotFoundException(id));
        Runnable release = locks.acquire(id, waitNanos);
        if (release == null) {
            return null;
        }
        // Read again now that the turn is ours: an earlier turn, here or on another replica, may have changed it.
        Optional<ConversationRecord> current = find(owner, id);
        if (current.isEmpty()) {
            release.run();
            throw new ConversationNotFoundException(id); // deleted while this turn waited
        }
        return start(current.get(), release, false);
    }

    private PendingTurn start(ConversationRecord conversation, Runnable release, boolean created) {
        PendingTurn turn = new PendingTurn(conversation, release, created);
        turns.put(conversation.id(), turn);
        return turn;
    }

    /** One turn of a conversation: ends once; keeps what it did only through {@link #commit}. */
    public final class PendingTurn implements AutoCloseable {
        private final ConversationRecord read;
        private final Runnable release;
        private final boolean created;
        private List<ChatMessage> memory;
        private boolean ended;

        private PendingTurn(ConversationRecord read, Runnable release, boolean created) {
            this.read = read;
            this.release = release;
            this.created = created;
            this.memory = read.memory();
        }

        public String conversationId() {
            return read.id();
        }

        synchronized List<ChatMessage> memory() {
            return memory;
        }

        synchronized void memory(List<ChatMessage> messages) {
            this.memory = List.copyOf(messages);
        }

        /**
         * Writes the conversation with its memory as the companion left it and these messages added to its
         * history; when this returns, the turn is kept.
         *
         * @throws ConversationChangedException when another request changed the conversation meanwhile
         * @throws ConversationNotFoundException when it was deleted meanwhile
         */
        public void commit(HistoryEntry... entries) {
            ConversationRecord next;
            synchronized (this) {
                if (ended) {
                    throw new IllegalStateException("The turn has ended");
                }
                List<HistoryEntry> history = new ArrayList<>(read.history());
                history.addAll(List.of(entries));
                if (history.size() > historyLimit) {
                    history = history.subList(history.size() - historyLimit, history.size());
                }
                next = read.next(memory, history, now());
            }
            if (!repository.save(next)) {
                throw repository.find(read.id()).isPresent()
                        ? new ConversationChangedException(read.id()) : new ConversationNotFoundException(read.id());
            }
            if (created) {
                forgotten(repository.deleteBeyond(maxConversations));
            }
        }

        /** Ends the turn: lets the next turn of the conversation begin. */
        @Override
        public void close() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            turns.remove(read.id(), this);
            release.run();
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    // ---- ChatMemoryStore: the turn's copy while a turn runs, the stored conversation otherwise ---------------

    @Override
    public List<ChatMessage> getMessages(Object memoryId) {
        String id = String.valueOf(memoryId);
        PendingTurn turn = turns.get(id);
        return turn != null ? turn.memory() : live(id).map(ConversationRecord::memory).orElse(List.of());
    }

    @Override
    public void updateMessages(Object memoryId, List<ChatMessage> messages) {
        String id = String.valueOf(memoryId);
        PendingTurn turn = turns.get(id);
        if (turn != null) {
            turn.memory(messages);
        } else {
            // Memory used outside a turn (the Companion called directly): written through, for a conversation that
            // exists; an unknown or deleted one is not brought back.
            live(id).ifPresent(c -> repository.save(c.next(messages, c.history(), now())));
        }
    }

    @Override
    public void deleteMessages(Object memoryId) {
        updateMessages(memoryId, List.of());
    }

    // ---- expiry ----------------------------------------------------------------------------------------------

    /** The stored conversation unless it has idled past its expiry (then it is deleted on the spot). */
    private Optional<ConversationRecord> live(String id) {
        Optional<ConversationRecord> stored = repository.find(id);
        if (stored.isPresent() && expired(stored.get())) {
            if (repository.delete(id)) {
                forgotten(List.of(id));
            }
            return Optional.empty();
        }
        return stored;
    }

    private boolean expired(ConversationRecord c) {
        return c.updatedAt().plus(idleExpiry).isBefore(now());
    }

    private void expire() {
        try {
            forgotten(repository.deleteIdleSince(now().minus(idleExpiry)));
        } catch (RuntimeException e) {
            log.warn("Could not delete idle conversations: {}", e.getMessage());
        }
    }

    private void forgotten(List<String> ids) {
        for (String id : ids) {
            forgetListeners.forEach(listener -> listener.accept(id));
        }
    }

    private static boolean visibleTo(ConversationRecord c, String owner) {
        return owner == null || owner.equals(c.owner());
    }

    /** Milliseconds: what every store keeps. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
