package dev.allinone.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.testing.Http;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/extract}: a customer message filed as a ticket. The tiny checkpoint's random weights write
 * nonsense, but always a whole ticket: every field present, lists as lists, the urgency one of its values.
 */
class ExtractionApiTest extends ApiTestBase {

    @ParameterizedTest
    @ValueSource(strings = {
            "Order #A-1234 arrived broken, I want a refund for the blue kettle!",
            "我的订单 558201 三天了还没到，怎么办？",
            "🙂 thanks",
    })
    void everyMessageGetsAWholeTicket(String text) {
        Http.Response r = http.post("/api/extract", Http.json(Map.of("text", text)));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode ticket = r.json();
        assertThat(ticket.has("orderNumbers") && ticket.has("products") && ticket.has("keywords")
                && ticket.has("urgency") && ticket.has("summary")).as(r.body()).isTrue();
        for (String list : new String[] {"orderNumbers", "products", "keywords"}) {
            assertThat(ticket.get(list).isArray() || ticket.get(list).isNull()).as(r.body()).isTrue();
        }
        assertThat(ticket.get("urgency").isNull() || ticket.get("urgency").asText().matches("LOW|NORMAL|HIGH|URGENT"))
                .as(r.body()).isTrue();
    }

    @Test
    void theModelGetsTheTicketsSchemaAndABudget() {
        captured.clear();
        http.post("/api/extract", Http.json(Map.of("text", "where is order 42?")));
        ChatRequest request = captured.requests().getLast();
        assertThat(request.responseFormat().jsonSchema()).isNotNull();
        assertThat(request.parameters().maxOutputTokens()).isEqualTo(160);
    }

    @Test
    void anEmptyTextIsAProblemNotA500() {
        Http.Response r = http.post("/api/extract", Http.json(Map.of("text", "")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).contains("application/problem+json");
    }
}
