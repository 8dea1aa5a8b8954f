package dev.allinone.companion;

import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Conversation memory stays bounded: a cap with least-recently-used eviction, and an idle expiry. */
class ConversationStoreTest {

    @Test
    void pastTheCapTheLeastRecentlyUsedConversationIsForgotten() {
        ConversationStore store = new ConversationStore(new CompanionProperties(8, 2560, 2, Duration.ofHours(1), 200));
        List<String> forgotten = new CopyOnWriteArrayList<>();
        store.onForget(forgotten::add);

        Conversation a = store.create();
        Conversation b = store.create();
        store.find(a.id()); // a is now more recent than b
        Conversation c = store.create();

        await().atMost(Duration.ofSeconds(5)).until(() -> store.size() == 2);
        assertThat(store.find(b.id())).isEmpty();
        assertThat(store.find(a.id())).isPresent();
        assertThat(store.find(c.id())).isPresent();
        assertThat(forgotten).containsExactly(b.id());
    }

    @Test
    void anIdleConversationExpires() {
        ConversationStore store = new ConversationStore(new CompanionProperties(8, 2560, 100, Duration.ofMillis(300), 200));
        List<String> forgotten = new CopyOnWriteArrayList<>();
        store.onForget(forgotten::add);
        Conversation idle = store.create();
        store.updateMessages(idle.id(), List.of(UserMessage.from("hello")));

        await().atMost(Duration.ofSeconds(5)).until(() -> forgotten.contains(idle.id()));
        assertThat(store.find(idle.id())).isEmpty();
        assertThat(store.getMessages(idle.id())).isEmpty();
    }

    @Test
    void aDeletedConversationCannotBeBroughtBackByALateMemoryWrite() {
        ConversationStore store = new ConversationStore(new CompanionProperties(8, 2560, 100, Duration.ofHours(1), 200));
        Conversation c = store.create();
        assertThat(store.delete(c.id())).isTrue();
        store.updateMessages(c.id(), List.of(UserMessage.from("late")));
        assertThat(store.find(c.id())).isEmpty();
        assertThat(store.delete(c.id())).isFalse();
    }

    @Test
    void historyIsBounded() {
        ConversationStore store = new ConversationStore(new CompanionProperties(8, 2560, 100, Duration.ofHours(1), 3));
        Conversation c = store.create();
        for (int i = 0; i < 5; i++) {
            c.record(new Conversation.Entry("user", "m" + i, null, java.time.Instant.now()));
        }
        assertThat(c.history()).extracting(Conversation.Entry::text).containsExactly("m2", "m3", "m4");
    }
}
