package dev.allinone.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.engine.LocalEngine;
import dev.allinone.testing.Http;
import dev.allinone.testing.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas on one store: while a turn runs on this one, another replica keeps a turn of the same conversation.
 * This turn must not overwrite it: it ends in 409 (send again), keeps nothing, and the other replica's turn stays.
 */
class ConflictingReplicaWriteTest {

    @TempDir
    Path data;

    @Test
    void aTurnWhoseConversationAnotherReplicaChangedMeanwhileGets409AndKeepsNothing() throws Exception {
        Path file = data.resolve("conversations.db");
        // Long answers (random weights rarely end a turn early), so that the turn is still running when the
        // other replica writes.
        try (RunningApp app = RunningApp.start("allinone.conversations.sqlite-file=" + file,
                "allinone.engine.max-new-tokens=3000", "allinone.engine.warm-up=false")) {
            Http http = app.http();
            LocalEngine engine = app.bean(LocalEngine.class);
            Http.Response first = http.post("/api/chat", Http.json(Map.of("message", "hello")), Map.of("Request-Timeout", "60"));
            assertThat(first.status()).isEqualTo(200);
            String id = first.json().get("conversationId").asText();

            CompletableFuture<Http.Response> second = CompletableFuture.supplyAsync(() -> http.post("/api/chat",
                    Http.json(Map.of("conversationId", id, "message", "and now?")), Map.of("Request-Timeout", "60")));
            // The turn has read the conversation and the model works on it.
            await().atMost(Duration.ofSeconds(20)).until(() -> engine.kvCachesInUse() > 0);

            try (SqliteConversationRepository otherReplica = new SqliteConversationRepository(file)) {
                ConversationRecord read = otherReplica.find(id).orElseThrow();
                List<HistoryEntry> history = new ArrayList<>(read.history());
                history.add(HistoryEntry.user("from the other replica", "NEUTRAL", Instant.now()));
                history.add(HistoryEntry.assistant("answered there", Instant.now()));
                assertThat(otherReplica.save(read.next(read.memory(), history, Instant.now()))).isTrue();
            }

            Http.Response conflicted = second.get(90, TimeUnit.SECONDS);
            assertThat(conflicted.status()).as(conflicted.body()).isEqualTo(409);
            assertThat(conflicted.contentType()).startsWith("application/problem+json");
            assertThat(conflicted.json().get("code").asText()).isEqualTo("conversation_changed");

            JsonNode messages = http.get("/api/conversations/" + id).json().get("messages");
            assertThat(messages).hasSize(4);
            assertThat(messages.get(2).get("text").asText()).isEqualTo("from the other replica");
            assertThat(messages.toString()).doesNotContain("and now?");
        }
    }
}
