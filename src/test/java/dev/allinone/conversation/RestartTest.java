package dev.allinone.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.companion.CompanionConversations;
import dev.allinone.testing.Http;
import dev.allinone.testing.RunningApp;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With the embedded (SQLite) store, a conversation outlives the application: stop it, start it, talk on. */
class RestartTest {

    @TempDir
    Path data;

    @Test
    void aConversationContinuesAfterARestartWithItsHistoryAndMemoryIntact() {
        String sqlite = "allinone.conversations.sqlite-file=" + data.resolve("conversations.db");
        String id;
        JsonNode historyBefore;
        List<ChatMessage> memoryBefore;
        try (RunningApp app = RunningApp.start(sqlite)) {
            Http http = app.http();
            Http.Response first = http.post("/api/chat", Http.json(Map.of("message", "我的订单晚了三天，怎么回事？")));
            assertThat(first.status()).isEqualTo(200);
            id = first.json().get("conversationId").asText();
            assertThat(http.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "Where is it now?")))
                    .status()).isEqualTo(200);
            historyBefore = http.get("/api/conversations/" + id).json();
            memoryBefore = app.bean(CompanionConversations.class).getMessages(id);
        }
        assertThat(historyBefore.get("messages")).hasSize(4);
        assertThat(memoryBefore).contains(UserMessage.from("我的订单晚了三天，怎么回事？"), UserMessage.from("Where is it now?"));

        try (RunningApp app = RunningApp.start(sqlite)) {
            Http http = app.http();
            assertThat(http.get("/api/conversations/" + id).json()).isEqualTo(historyBefore);
            CompanionConversations store = app.bean(CompanionConversations.class);
            assertThat(store.getMessages(id)).isEqualTo(memoryBefore);

            Http.Response third = http.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "Thanks!")));
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.json().get("conversationId").asText()).isEqualTo(id);
            JsonNode after = http.get("/api/conversations/" + id).json();
            assertThat(after.get("messages")).hasSize(6);
            assertThat(after.get("messages").get(0)).isEqualTo(historyBefore.get("messages").get(0));
            // The companion saw the remembered turns: its memory grew from where it was.
            assertThat(store.getMessages(id).subList(0, memoryBefore.size())).isEqualTo(memoryBefore);
            assertThat(store.getMessages(id)).hasSize(memoryBefore.size() + 2);

            assertThat(http.delete("/api/conversations/" + id).status()).isEqualTo(204);
        }
        try (RunningApp app = RunningApp.start(sqlite)) {
            assertThat(app.http().get("/api/conversations/" + id).status()).isEqualTo(404); // deleted for good
        }
    }
}
