package dev.allinone.web;

import dev.allinone.testing.Http;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets RFC 9457 problem details with the right status, never a 500 or a stack trace. */
class ApiErrorsTest extends ApiTestBase {

    private static void assertProblem(Http.Response r, int status, String detailContains) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.json().get("title").asText()).isNotBlank();
        assertThat(r.json().get("detail").asText()).contains(detailContains);
        assertThat(r.body()).doesNotContain("Exception", "\tat ", "java.");
    }

    @Test
    void missingOrBlankTextIs400() {
        assertProblem(http.post("/api/sentiment", "{}"), 400, "text: must not be blank");
        assertProblem(http.post("/api/sentiment", Http.json(Map.of("text", "   \n\t "))), 400, "text: must not be blank");
        assertProblem(http.post("/api/chat", Http.json(Map.of("message", ""))), 400, "message: must not be blank");
        assertProblem(http.post("/api/chat", "{\"conversationId\":\"x\"}"), 400, "message: must not be blank");
    }

    @Test
    void malformedJsonIs400() {
        assertProblem(http.post("/api/sentiment", "{\"text\": \"unterminated"), 400, "not valid JSON");
        assertProblem(http.post("/api/sentiment", "[1,2,3]"), 400, "must be a JSON object");
        assertProblem(http.post("/api/chat", ""), 400, "missing");
    }

    @Test
    void textOverTheTokenLimitIs413AndSaysTheLimit() {
        // allinone.api.max-input-tokens=512 (config/application.yml)
        Http.Response r = http.post("/api/sentiment", Http.json(Map.of("text", "退款 please ".repeat(300))));
        assertProblem(r, 413, "the limit is 512 tokens");
        assertThat(r.json().get("tokens").asInt()).isGreaterThan(512);
        assertThat(r.json().get("limit").asInt()).isEqualTo(512);
        assertProblem(http.post("/api/chat", Http.json(Map.of("message", "word ".repeat(600)))), 413, "'message' is");
    }

    @Test
    void unknownConversationIs404() {
        assertProblem(http.get("/api/conversations/00000000-0000-0000-0000-000000000000"), 404, "No conversation");
        assertProblem(http.delete("/api/conversations/nope"), 404, "No conversation");
        assertProblem(http.post("/api/chat", Http.json(Map.of("conversationId", "nope", "message", "hi"))), 404,
                "No conversation nope");
    }

    @Test
    void wrongContentTypeAndMethodAreProblemsToo() {
        Http.Response plain = http.post("/api/sentiment", "hello", "text/plain");
        assertThat(plain.status()).isEqualTo(415);
        assertThat(plain.contentType()).startsWith("application/problem+json");
        Http.Response wrongMethod = http.get("/api/sentiment");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.contentType()).startsWith("application/problem+json");
    }
}
