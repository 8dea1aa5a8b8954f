package dev.allinone.conversation;

import dev.allinone.sentiment.Sentiment;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What every conversation repository promises, run against each of them. */
abstract class ConversationRepositoryContract {

    ConversationRepository repository;

    abstract ConversationRepository open() throws Exception;

    @BeforeEach
    void openRepository() throws Exception {
        repository = open();
    }

    @AfterEach
    void closeRepository() {
        if (repository != null) { // null when the test was skipped (no Redis)
            repository.close();
        }
    }

    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    static ConversationRecord firstTurn(String owner, Instant at) {
        ConversationRecord created = ConversationRecord.create(UUID.randomUUID().toString(), owner, at);
        return created.next(List.of(SystemMessage.from("Be kind."), UserMessage.from("我的订单晚了 😟"),
                        AiMessage.from("Sorry! Let me check.")),
                List.of(HistoryEntry.user("我的订单晚了 😟", Sentiment.NEGATIVE.name(), at), HistoryEntry.assistant("Sorry! Let me check.", at)),
                at);
    }

    @Test
    void aSavedConversationReadsBackExactly() {
        ConversationRecord c = firstTurn("support-bot", T0);
        assertThat(repository.save(c)).isTrue();
        assertThat(repository.find(c.id())).contains(c);

        ConversationRecord anonymous = firstTurn(null, T0);
        assertThat(repository.save(anonymous)).isTrue();
        assertThat(repository.find(anonymous.id())).contains(anonymous);
        assertThat(repository.find("no-such-id")).isEmpty();
    }

    @Test
    void ofTwoWritersOfTheSameVersionOnlyTheFirstIsKept() {
        ConversationRecord c = firstTurn(null, T0);
        repository.save(c);
        ConversationRecord mine = c.next(List.of(UserMessage.from("mine")), c.history(), T0.plusMillis(1));
        ConversationRecord theirs = c.next(List.of(UserMessage.from("theirs")), c.history(), T0.plusMillis(2));

        assertThat(repository.save(mine)).isTrue();
        assertThat(repository.save(theirs)).isFalse();
        assertThat(repository.find(c.id())).contains(mine);
        // A second "first turn" of an existing id is refused too.
        assertThat(repository.save(firstTurn(null, T0).next(List.of(), List.of(), T0))).isFalse();
        assertThat(repository.save(c)).isFalse();
    }

    @Test
    void aDeletedConversationIsNotBroughtBackByALateWrite() {
        ConversationRecord c = firstTurn(null, T0);
        repository.save(c);
        assertThat(repository.delete(c.id())).isTrue();
        assertThat(repository.delete(c.id())).isFalse();

        assertThat(repository.save(c.next(c.memory(), c.history(), T0))).isFalse();
        assertThat(repository.find(c.id())).isEmpty();
    }

    @Test
    void idleConversationsAndThoseBeyondTheCapAreDeletedOldestFirst() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ConversationRecord old = firstTurn(null, now.minusSeconds(30));
        ConversationRecord older = firstTurn(null, now.minusSeconds(40));
        ConversationRecord recent = firstTurn(null, now.minusSeconds(2));
        ConversationRecord newest = firstTurn(null, now.minusSeconds(1));
        List.of(old, older, recent, newest).forEach(repository::save);
        long before = repository.count();

        assertThat(repository.deleteIdleSince(now.minusSeconds(10))).containsExactlyInAnyOrder(old.id(), older.id());
        assertThat(repository.find(old.id())).isEmpty();
        assertThat(repository.count()).isEqualTo(before - 2);

        assertThat(repository.deleteBeyond(before - 3)).containsExactly(recent.id());
        assertThat(repository.find(newest.id())).isPresent();
        assertThat(repository.count()).isEqualTo(before - 3);
    }

    @Test
    void theHealthCheckPasses() {
        org.assertj.core.api.Assertions.assertThatNoException().isThrownBy(repository::check);
    }
}
