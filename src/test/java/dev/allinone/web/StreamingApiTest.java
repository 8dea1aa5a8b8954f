package dev.allinone.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.testing.Http;
import dev.allinone.testing.Sse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/chat/stream}: the label first, then the answer in whole characters, then usage. */
class StreamingApiTest extends ApiTestBase {

    @Test
    void sentimentThenDeltasThenDoneAndTheTurnIsRemembered() {
        Sse.Stream stream = Sse.post(port, "/api/chat/stream", Http.json(Map.of("message", "你好！我的快递丢了 😢")), Sse.untilEnd());
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        List<Sse.Event> events = stream.events();
        assertThat(events.get(0).name()).isEqualTo("sentiment");
        assertThat(events.get(0).data().get("sentiment").asText()).isIn("POSITIVE", "NEGATIVE", "NEUTRAL");
        assertThat(events.get(0).data().get("scores").size()).isEqualTo(3);
        Sse.Event done = events.get(events.size() - 1);
        assertThat(done.name()).isEqualTo("done");
        assertThat(done.data().get("usage").get("outputTokens").asInt()).isEqualTo(12);
        assertThat(done.data().get("finishReason").asText()).isEqualTo("LENGTH");

        StringBuilder answer = new StringBuilder();
        for (Sse.Event delta : events.subList(1, events.size() - 1)) {
            assertThat(delta.name()).isEqualTo("delta");
            String text = delta.data().get("text").asText();
            assertThat(text).isNotEmpty();
            // Never half a character: no lone surrogate at either end of a delta.
            assertThat(Character.isLowSurrogate(text.charAt(0))).isFalse();
            assertThat(Character.isHighSurrogate(text.charAt(text.length() - 1))).isFalse();
            answer.append(text);
        }

        String id = events.get(0).data().get("conversationId").asText();
        JsonNode messages = http.get("/api/conversations/" + id).json().get("messages");
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).get("text").asText()).isEqualTo("你好！我的快递丢了 😢");
        assertThat(messages.get(0).get("sentiment").asText()).isEqualTo(events.get(0).data().get("sentiment").asText());
        assertThat(messages.get(1).get("text").asText()).isEqualTo(answer.toString());
    }

    @Test
    void errorsBeforeTheStreamStartsAreOrdinaryProblems() {
        Sse.Stream unknown = Sse.post(port, "/api/chat/stream",
                Http.json(Map.of("conversationId", "nope", "message", "hi")), Sse.untilEnd());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        Sse.Stream blank = Sse.post(port, "/api/chat/stream", Http.json(Map.of("message", " ")), Sse.untilEnd());
        assertThat(blank.status()).isEqualTo(400);
    }
}
