package dev.allinone.web;

import dev.allinone.testing.Http;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile or broken input: always a clear 4xx problem, never a 500, and the server keeps serving. */
class BadInputTest extends ApiTestBase {

    private void assertProblem(Http.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.body()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void aMegabyteBodyIsRefusedBeforeItIsRead() {
        String huge = Http.json(Map.of("text", "a".repeat(1_000_000)));
        Http.Response r = http.post("/api/sentiment", huge);
        assertProblem(r, 413);
        assertThat(r.json().get("detail").asText()).contains("65536 bytes");
    }

    @Test
    void aMegabyteBodyWithoutALengthIsCutOffWhileReading() throws Exception {
        byte[] huge = Http.json(Map.of("text", "b".repeat(1_000_000))).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/sentiment"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void invalidUtf8Is400() {
        byte[] start = "{\"text\":\"ab".getBytes(StandardCharsets.UTF_8);
        byte[] broken = java.util.Arrays.copyOf(start, start.length + 4);
        broken[start.length] = (byte) 0xC3; // a two-byte lead byte ...
        broken[start.length + 1] = '(';      // ... followed by ASCII: not UTF-8
        broken[start.length + 2] = '"';
        broken[start.length + 3] = '}';
        assertProblem(http.postBytes("/api/sentiment", broken), 400);
    }

    @Test
    void rawControlCharactersAre400ButEscapedOnesAreText() {
        assertProblem(http.postBytes("/api/sentiment", "{\"text\":\"a\u0001b\"}".getBytes(StandardCharsets.UTF_8)), 400);
        Http.Response escaped = http.post("/api/sentiment", "{\"text\":\"bell \\u0007 and tab \\t\"}");
        assertThat(escaped.status()).isEqualTo(200);
        assertThat(escaped.json().get("sentiment").asText()).isIn("POSITIVE", "NEGATIVE", "NEUTRAL");
    }

    @Test
    void deeplyNestedJsonIs400() {
        String nested = "{\"text\":\"x\",\"extra\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertProblem(http.post("/api/sentiment", nested), 400);
    }

    @Test
    void aTenThousandTokenMessageIs413WithItsLength() {
        Http.Response r = http.post("/api/chat", Http.json(Map.of("message", "word ".repeat(10_000))));
        assertProblem(r, 413);
        assertThat(r.json().get("tokens").asInt()).isGreaterThanOrEqualTo(10_000);
    }

    @Test
    void emptyAndWhitespaceOnlyAre400() {
        assertProblem(http.post("/api/sentiment", ""), 400);
        assertProblem(http.post("/api/chat", Http.json(Map.of("message", " \u3000\n\t \u200B"))), 400);
    }

    @Test
    void afterAllOfThatTheServerStillAnswers() {
        aMegabyteBodyIsRefusedBeforeItIsRead();
        deeplyNestedJsonIs400();
        assertThat(http.post("/api/sentiment", Http.json(Map.of("text", "still here"))).status()).isEqualTo(200);
    }
}
