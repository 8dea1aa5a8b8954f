package dev.allinone.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.companion.Companion;
import dev.allinone.testing.Http;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The support chat over HTTP: labelled and answered turns, memory windows, separate conversations. */
class ChatApiTest extends ApiTestBase {

    @Autowired
    Companion companion;

    @Autowired
    dev.allinone.companion.CompanionConversations store;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry registry;

    private JsonNode say(String conversationId, String message) {
        Map<String, Object> body = new HashMap<>();
        body.put("message", message);
        if (conversationId != null) {
            body.put("conversationId", conversationId);
        }
        Http.Response r = http.post("/api/chat", Http.json(body));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** The requests the companion (not the sentiment analyst) sent to the model, for one marker. */
    private List<ChatRequest> companionRequestsMentioning(String marker) {
        return captured.requests().stream()
                .filter(r -> r.messages().get(0) instanceof SystemMessage s && s.text().contains("companion"))
                .filter(r -> r.messages().get(r.messages().size() - 1) instanceof UserMessage u && u.singleText().contains(marker))
                .toList();
    }

    @Test
    void aMessageWithoutIdStartsAConversationAndEveryTurnIsLabelledAndAnswered() {
        JsonNode first = say(null, "你好，我的快递丢了 📦");
        String id = first.get("conversationId").asText();
        assertThat(UUID.fromString(id)).isNotNull();
        assertThat(first.get("sentiment").asText()).isIn("POSITIVE", "NEGATIVE", "NEUTRAL");
        assertThat(first.get("reply").isTextual()).isTrue();

        JsonNode second = say(id, "Thanks, that helps!");
        assertThat(second.get("conversationId").asText()).isEqualTo(id);

        Http.Response history = http.get("/api/conversations/" + id);
        assertThat(history.status()).isEqualTo(200);
        JsonNode messages = history.json().get("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(0).get("text").asText()).isEqualTo("你好，我的快递丢了 📦");
        assertThat(messages.get(0).get("sentiment").asText()).isEqualTo(first.get("sentiment").asText());
        assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).get("text").asText()).isEqualTo(first.get("reply").asText());
        assertThat(messages.get(2).get("text").asText()).isEqualTo("Thanks, that helps!");
        assertThat(messages.get(3).get("sentiment").isNull()).isTrue();
    }

    @Test
    void theCompanionSeesAtMostTheMemoryWindowOfItsOwnMostRecentMessages() {
        // memory-window=4 in ApiTestBase: at most four messages (user and assistant) besides the system prompt,
        // always the most recent ones, the new message last.
        String marker = "w" + UUID.randomUUID().toString().substring(0, 8);
        String id = null;
        List<String> transcript = new ArrayList<>();
        for (int turn = 1; turn <= 6; turn++) {
            String message = marker + " message " + turn;
            JsonNode reply = say(id, message);
            id = reply.get("conversationId").asText();
            transcript.add(message);
            List<ChatRequest> requests = companionRequestsMentioning(message);
            assertThat(requests).hasSize(1);
            List<ChatMessage> shown = requests.get(0).messages();
            assertThat(shown.get(0)).isInstanceOf(SystemMessage.class);
            List<String> texts = shown.subList(1, shown.size()).stream().map(ChatRequestTexts::text).toList();
            assertThat(texts).hasSizeBetween(1, 4);
            assertThat(texts).containsExactlyElementsOf(transcript.subList(transcript.size() - texts.size(), transcript.size()));
            transcript.add(reply.get("reply").asText());
        }
    }

    @Test
    void aContinuedConversationReusesItsComputedStateAndTheMetricsSaySo() {
        double before = registry.get("allinone.kvcache.requests").tag("reuse", "conversation").functionCounter().count();
        String id = say(null, "metrics-1 my order is late").get("conversationId").asText();
        say(id, "metrics-2 any news?");
        double after = registry.get("allinone.kvcache.requests").tag("reuse", "conversation").functionCounter().count();
        assertThat(after).isGreaterThan(before);
        assertThat(registry.get("allinone.kvcache.reused.tokens").functionCounter().count()).isPositive();
        assertThat(registry.get("allinone.kvcache.bytes").gauge().value()).isPositive();
        assertThat(registry.find("allinone.kvcache.conversation.misses").functionCounter()).isNotNull();
    }

    @Test
    void conversationsNeverSeeEachOther() {
        String a = say(null, "alpha-1 my refund").get("conversationId").asText();
        String b = say(null, "bravo-1 my parcel").get("conversationId").asText();
        say(a, "alpha-2 still waiting");
        say(b, "bravo-2 any news");
        for (ChatRequest r : companionRequestsMentioning("alpha-2")) {
            assertThat(r.messages()).noneMatch(m -> ChatRequestTexts.text(m).contains("bravo"));
        }
        for (ChatRequest r : companionRequestsMentioning("bravo-2")) {
            assertThat(r.messages()).noneMatch(m -> ChatRequestTexts.text(m).contains("alpha"));
        }
        assertThat(http.get("/api/conversations/" + a).json().get("messages").toString()).doesNotContain("bravo");
    }

    @Test
    void deleteForgetsTheConversation() {
        String id = say(null, "delete me").get("conversationId").asText();
        assertThat(store.getMessages(id)).contains(dev.langchain4j.data.message.UserMessage.from("delete me"));
        assertThat(http.delete("/api/conversations/" + id).status()).isEqualTo(204);
        // The companion's memory goes with it, and LangChain4j keeps no memory object of its own.
        assertThat(store.getMessages(id)).isEmpty();
        assertThat(companion.getChatMemory(id)).isNull();
        assertThat(http.get("/api/conversations/" + id).status()).isEqualTo(404);
        assertThat(http.delete("/api/conversations/" + id).status()).isEqualTo(404);
        Http.Response continued = http.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "hello?")));
        assertThat(continued.status()).isEqualTo(404);
    }

    /** Text of a message as the model saw it. */
    static final class ChatRequestTexts {
        static String text(ChatMessage m) {
            return switch (m) {
                case UserMessage u -> u.singleText();
                case AiMessage ai -> ai.text();
                case SystemMessage s -> s.text();
                default -> m.toString();
            };
        }
    }
}
