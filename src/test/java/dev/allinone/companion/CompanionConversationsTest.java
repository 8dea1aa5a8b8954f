package dev.allinone.companion;

import dev.allinone.conversation.ConversationProperties;
import dev.allinone.conversation.ConversationRecord;
import dev.allinone.conversation.HistoryEntry;
import dev.allinone.conversation.InMemoryConversationRepository;
import dev.allinone.sentiment.Sentiment;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The companion's conversations over a repository: only complete turns are kept, one turn at a time, owners
 * see only their own, and what is kept stays bounded (a cap, an idle expiry, a history limit).
 */
class CompanionConversationsTest {

    private final InMemoryConversationRepository repository = new InMemoryConversationRepository();
    private CompanionConversations store;

    private CompanionConversations store(long maxConversations, Duration idleExpiry, int historyLimit) {
        store = new CompanionConversations(repository, new ConversationProperties(ConversationProperties.Store.MEMORY, null,
                "allinone:", maxConversations, idleExpiry, historyLimit));
        return store;
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A complete turn, as the conversation service plays it. */
    private static String turn(CompanionConversations store, String owner, String id, String message) throws InterruptedException {
        try (CompanionConversations.PendingTurn turn = store.begin(owner, id, Long.MAX_VALUE)) {
            String conversationId = turn.conversationId();
            List<dev.langchain4j.data.message.ChatMessage> memory = new java.util.ArrayList<>(store.getMessages(conversationId));
            memory.add(UserMessage.from(message));
            memory.add(AiMessage.from("re: " + message));
            store.updateMessages(conversationId, memory);
            Instant now = Instant.now();
            turn.commit(HistoryEntry.user(message, Sentiment.NEUTRAL.name(), now), HistoryEntry.assistant("re: " + message, now));
            return conversationId;
        }
    }

    @Test
    void onlyACommittedTurnIsKept() throws Exception {
        store(100, Duration.ofHours(1), 200);
        String id = turn(store, null, null, "first");

        try (CompanionConversations.PendingTurn failed = store.begin(null, id, Long.MAX_VALUE)) {
            store.updateMessages(id, List.of(UserMessage.from("half a turn")));
            assertThat(store.getMessages(id)).containsExactly(UserMessage.from("half a turn")); // the turn's own copy
        } // closed without commit: the model failed, the deadline passed
        assertThat(store.getMessages(id)).containsExactly(UserMessage.from("first"), AiMessage.from("re: first"));
        assertThat(store.find(null, id).orElseThrow().history()).extracting(HistoryEntry::text)
                .containsExactly("first", "re: first");

        // A new conversation whose first turn fails does not exist at all.
        String never;
        try (CompanionConversations.PendingTurn failed = store.begin(null, null, Long.MAX_VALUE)) {
            never = failed.conversationId();
        }
        assertThat(store.find(null, never)).isEmpty();
    }

    @Test
    void conversationIdsAreUnguessable() throws Exception {
        store(100, Duration.ofHours(1), 200);
        String id = turn(store, null, null, "hi");
        assertThat(java.util.UUID.fromString(id).version()).isEqualTo(4); // 122 random bits
    }

    @Test
    void aConversationIsVisibleOnlyToItsOwnerAndToEveryoneWhenKeysAreOff() throws Exception {
        store(100, Duration.ofHours(1), 200);
        String alices = turn(store, "alice", null, "hi");

        assertThat(store.find("alice", alices)).isPresent();
        assertThat(store.find("bob", alices)).isEmpty();
        assertThatThrownBy(() -> store.begin("bob", alices, Long.MAX_VALUE)).isInstanceOf(ConversationNotFoundException.class);
        assertThat(store.delete("bob", alices)).isFalse();
        assertThat(store.find("alice", alices)).isPresent();
        assertThat(store.find(null, alices)).isPresent(); // keys off: the owner is not checked
        assertThat(store.find("alice", alices).orElseThrow().owner()).isEqualTo("alice");
    }

    @Test
    void turnsOfOneConversationRunOneAtATime() throws Exception {
        store(100, Duration.ofHours(1), 200);
        String id = turn(store, null, null, "first");
        try (CompanionConversations.PendingTurn running = store.begin(null, id, Long.MAX_VALUE)) {
            assertThat(store.begin(null, id, TimeUnit.MILLISECONDS.toNanos(100))).isNull(); // waited, gave up
            assertThat(running.conversationId()).isEqualTo(id);
        }
        turn(store, null, id, "second");
        assertThat(store.find(null, id).orElseThrow().history()).hasSize(4);
    }

    @Test
    void aTurnThatLostARaceWithAnotherReplicaKeepsNothing() throws Exception {
        store(100, Duration.ofHours(1), 200);
        String id = turn(store, null, null, "first");
        try (CompanionConversations.PendingTurn mine = store.begin(null, id, Long.MAX_VALUE)) {
            // Meanwhile another replica completes a turn of the same conversation.
            ConversationRecord stored = repository.find(id).orElseThrow();
            repository.save(stored.next(stored.memory(), stored.history(), Instant.now()));
            assertThatThrownBy(() -> mine.commit(HistoryEntry.assistant("mine", Instant.now())))
                    .isInstanceOf(ConversationChangedException.class);
        }
        assertThat(store.find(null, id).orElseThrow().history()).extracting(HistoryEntry::text)
                .containsExactly("first", "re: first");
    }

    @Test
    void pastTheCapTheLeastRecentlyUsedConversationIsForgotten() throws Exception {
        store(2, Duration.ofHours(1), 200);
        List<String> forgotten = new CopyOnWriteArrayList<>();
        store.onForget(forgotten::add);

        String a = turn(store, null, null, "a");
        Thread.sleep(5);
        String b = turn(store, null, null, "b");
        Thread.sleep(5);
        turn(store, null, a, "a again"); // a is now more recent than b
        Thread.sleep(5);
        String c = turn(store, null, null, "c");

        assertThat(store.size()).isEqualTo(2);
        assertThat(store.find(null, b)).isEmpty();
        assertThat(store.find(null, a)).isPresent();
        assertThat(store.find(null, c)).isPresent();
        assertThat(forgotten).containsExactly(b);
    }

    @Test
    void anIdleConversationExpires() throws Exception {
        store(100, Duration.ofMillis(300), 200);
        List<String> forgotten = new CopyOnWriteArrayList<>();
        store.onForget(forgotten::add);
        String idle = turn(store, null, null, "hello");

        await().atMost(Duration.ofSeconds(5)).until(() -> forgotten.contains(idle));
        assertThat(store.find(null, idle)).isEmpty();
        assertThat(store.getMessages(idle)).isEmpty();
    }

    @Test
    void aDeletedConversationCannotBeBroughtBackByALateMemoryWrite() throws Exception {
        store(100, Duration.ofHours(1), 200);
        String id = turn(store, null, null, "hello");
        assertThat(store.delete(null, id)).isTrue();
        store.updateMessages(id, List.of(UserMessage.from("late")));
        assertThat(store.find(null, id)).isEmpty();
        assertThat(store.delete(null, id)).isFalse();
    }

    @Test
    void historyIsBounded() throws Exception {
        store(100, Duration.ofHours(1), 3);
        String id = turn(store, null, null, "m0");
        for (int i = 1; i < 3; i++) {
            turn(store, null, id, "m" + i);
        }
        assertThat(store.find(null, id).orElseThrow().history()).extracting(HistoryEntry::text)
                .containsExactly("re: m1", "m2", "re: m2");
    }
}
