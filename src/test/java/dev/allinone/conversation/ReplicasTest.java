package dev.allinone.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.companion.CompanionConversations;
import dev.allinone.companion.ConversationMemory;
import dev.allinone.testing.Http;
import dev.allinone.testing.RunningApp;
import dev.allinone.testing.TestRedis;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas of the service on different ports, sharing one real Redis server: a conversation continues on
 * whichever replica a request reaches, with its whole history, and the companion's memory window on both is
 * exactly what one instance would have remembered.
 */
class ReplicasTest {

    private static final int WINDOW = 4;

    @Test
    void turnsAlternatingBetweenTwoReplicasShareOneConversation() throws IOException {
        String[] settings = {"allinone.conversations.store=redis", "spring.data.redis.url=" + TestRedis.url(),
                "allinone.conversations.redis-key-prefix=replicas-" + UUID.randomUUID() + ":",
                "allinone.companion.memory-window=" + WINDOW};
        try (RunningApp a = RunningApp.start(settings); RunningApp b = RunningApp.start(settings)) {
            assertThat(a.port()).isNotEqualTo(b.port());
            String system;
            try (InputStream in = getClass().getResourceAsStream("/prompts/companion.txt")) {
                system = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            // What a single instance would remember: the same memory class over a plain in-memory store.
            ConversationMemory oracle = new ConversationMemory("oracle", new InMemoryChatMemoryStore(), WINDOW, 2560,
                    a.bean(TokenCountEstimator.class));

            String id = null;
            List<String> said = new ArrayList<>();
            for (int turn = 1; turn <= 7; turn++) {
                RunningApp replica = turn % 2 == 1 ? a : b;
                String message = "Turn " + turn + ": 我的包裹在哪里？";
                Map<String, String> body = id == null ? Map.of("message", message) : Map.of("conversationId", id, "message", message);
                Http.Response r = replica.http().post("/api/chat", Http.json(body));
                assertThat(r.status()).as("turn %d on replica %s", turn, replica.port()).isEqualTo(200);
                id = r.json().get("conversationId").asText();
                String reply = r.json().get("reply").asText();
                said.add(message);
                said.add(reply);

                oracle.add(SystemMessage.from(system));
                oracle.add(UserMessage.from(message));
                oracle.add(AiMessage.from(reply));
                List<ChatMessage> onA = a.bean(CompanionConversations.class).getMessages(id);
                List<ChatMessage> onB = b.bean(CompanionConversations.class).getMessages(id);
                assertThat(onA).as("memory after turn %d", turn).isEqualTo(oracle.messages());
                assertThat(onB).isEqualTo(onA);
                assertThat(onA.size() - 1).isLessThanOrEqualTo(WINDOW);
            }
            for (RunningApp replica : List.of(a, b)) {
                JsonNode messages = replica.http().get("/api/conversations/" + id).json().get("messages");
                List<String> texts = new ArrayList<>();
                messages.forEach(m -> texts.add(m.get("text").asText()));
                assertThat(texts).isEqualTo(said);
            }
            // Deleted on one, gone on both.
            assertThat(b.http().delete("/api/conversations/" + id).status()).isEqualTo(204);
            assertThat(a.http().get("/api/conversations/" + id).status()).isEqualTo(404);
            assertThat(a.http().post("/api/chat", Http.json(Map.of("conversationId", id, "message", "hello?"))).status())
                    .isEqualTo(404);
        }
    }
}
