package dev.allinone.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What hostile and unlucky clients sent a public endpoint, each once a 500 or an accepted corruption: now a 4xx
 * that names the field at fault, in the API's own shape (problem details on /api, OpenAI's error object on
 * /v1), logged in one line at most and never with a stack trace, and the server keeps serving.
 */
@ExtendWith(OutputCaptureExtension.class)
class HostileInputTest extends ApiTestBase {

    private static final String SENTIMENT = "/api/sentiment";
    private static final String COMPLETIONS = "/v1/chat/completions";

    private static Map<String, Object> completion(Object... extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("model", "qwen");
        body.put("messages", List.of(Map.of("role", "user", "content", "Hello")));
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return body;
    }

    /** An /api problem: status, problem+json, the detail mentions {@code detail}, no trace of Java. */
    private static JsonNode problem(Http.Response r, int status, String detail) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).containsIgnoringCase(detail);
        assertThat(r.body()).doesNotContain("Exception", "\tat ", "java.", "<html");
        return r.json();
    }

    /** A /v1 error: status, OpenAI's error object with message, type and the param at fault. */
    private static JsonNode openAiError(Http.Response r, int status, String param) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode error = r.json().get("error");
        assertThat(error).as(r.body()).isNotNull();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo(status == 504 ? "timeout_error" : status >= 500 ? "server_error"
                : "invalid_request_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        if (param != null) {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
        assertThat(r.body()).doesNotContain("Exception", "\tat ", "<html");
        return error;
    }

    @Test
    void outOfRangeSamplingParametersAre400NamingTheParameter(CapturedOutput output) {
        openAiError(http.post(COMPLETIONS, Http.json(completion("temperature", -1))), 400, "temperature");
        openAiError(http.post(COMPLETIONS, Http.json(completion("temperature", 2.5))), 400, "temperature");
        openAiError(http.post(COMPLETIONS, "{\"model\":\"q\",\"temperature\":\"NaN\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                400, "temperature");
        openAiError(http.post(COMPLETIONS, Http.json(completion("top_p", 0))), 400, "top_p");
        openAiError(http.post(COMPLETIONS, Http.json(completion("top_p", 1.5))), 400, "top_p");
        openAiError(http.post(COMPLETIONS, Http.json(completion("frequency_penalty", 3))), 400, "frequency_penalty");
        // Streamed: refused before the stream starts, so clients see an error status, not an event inside a 200.
        openAiError(http.post(COMPLETIONS, Http.json(completion("temperature", -1, "stream", true))), 400, "temperature");
        assertThat(output.getAll()).doesNotContain("\tat ", "incident");
    }

    @Test
    void emptyOrBrokenMessagesAre400NamingTheMessage(CapturedOutput output) {
        openAiError(http.post(COMPLETIONS, Http.json(Map.of("model", "q",
                "messages", List.of(Map.of("role", "user", "content", "  "))))), 400, "messages[0].content");
        openAiError(http.post(COMPLETIONS, "{\"model\":\"q\",\"messages\":[{\"role\":\"user\",\"content\":null}]}"),
                400, "messages[0].content");
        openAiError(http.post(COMPLETIONS, Http.json(Map.of("model", "q",
                "messages", List.of(Map.of("role", "user", "content", List.of()))))), 400, "messages[0].content");
        openAiError(http.post(COMPLETIONS, Http.json(Map.of("model", "q", "messages", List.of(
                Map.of("role", "system", "content", ""), Map.of("role", "user", "content", "Hi"))))), 400, "messages[0].content");
        openAiError(http.post(COMPLETIONS, Http.json(Map.of("model", "q", "messages", List.of()))), 400, "messages");
        openAiError(http.post(COMPLETIONS, Http.json(completion("response_format", Map.of("type", "json_schema",
                "json_schema", Map.of("name", "x", "schema", Map.of("type", "string", "enum", List.of())))))),
                400, "response_format");
        assertThat(output.getAll()).doesNotContain("\tat ", "incident");
    }

    @Test
    void badlyTypedFieldsSayWhichFieldAndWhy() {
        assertThat(openAiError(http.post(COMPLETIONS, "{\"model\":\"q\",\"max_tokens\":1e12,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                400, "max_tokens").get("message").asText()).contains("max_tokens", "integer");
        assertThat(openAiError(http.post(COMPLETIONS, "{\"model\":\"q\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                400, "stream").get("message").asText()).contains("stream", "true or false");
        problem(http.post(SENTIMENT, "{\"text\": {\"a\": 1}}"), 400, "Field 'text' must be a string");
    }

    @Test
    void duplicateKeysTrailingGarbageAndLoneSurrogatesAre400(CapturedOutput output) {
        problem(http.post(SENTIMENT, "{\"text\":\"good\",\"text\":\"bad\"}"), 400, "duplicate");
        problem(http.post(SENTIMENT, "{\"text\":\"good\"} and more"), 400, "after the JSON value");
        problem(http.post(SENTIMENT, "{\"text\":\"good\"}{\"text\":\"bad\"}"), 400, "after the JSON value");
        problem(http.post(SENTIMENT, "{\"text\":\"half a pair \\ud83d here\"}"), 400, "surrogate");
        openAiError(http.post(COMPLETIONS, "{\"model\":\"q\",\"messages\":[{\"role\":\"user\",\"content\":\"x \\udc00\"}]}"),
                400, "messages[0].content");
        openAiError(http.post(COMPLETIONS, "{\"model\":\"q\",\"model\":\"r\",\"messages\":[]}"), 400, null);
        assertThat(output.getAll()).doesNotContain("\tat ", "incident", "InvalidDefinitionException");
    }

    @Test
    void overlongUtf8AndEncodedSurrogatesAre400() {
        byte[] overlong = bytes("{\"text\":\"a", 0xC0, 0xAF, "b\"}"); // '/' in two bytes
        problem(http.postBytes(SENTIMENT, overlong), 400, "not valid UTF-8");
        byte[] surrogate = bytes("{\"text\":\"a", 0xED, 0xA0, 0x80, "b\"}"); // U+D800 encoded
        problem(http.postBytes(SENTIMENT, surrogate), 400, "not valid UTF-8");
        byte[] beyond = bytes("{\"text\":\"a", 0xF4, 0x90, 0x80, 0x80, "\"}"); // past U+10FFFF
        problem(http.postBytes(SENTIMENT, beyond), 400, "not valid UTF-8");
        // Real four-byte characters and Chinese pass.
        assertThat(http.post(SENTIMENT, Http.json(Map.of("text", "好 😀 𝄞"))).status()).isEqualTo(200);
    }

    @Test
    void aChunkedV1BodyOverTheLimitIs413AsWithALength() throws Exception {
        byte[] huge = Http.json(completion("user", "x".repeat(70_000))).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> chunked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(COMPLETIONS))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).contains("\"error\"", "65536 bytes");
        openAiError(http.post(COMPLETIONS, new String(huge, StandardCharsets.UTF_8)), 413, null);
    }

    @Test
    void aCompressedBodyIs415NamingTheEncoding() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(Http.json(Map.of("text", "hello")).getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(SENTIMENT))
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(r.body()).contains("Content-Encoding 'gzip'");
    }

    @Test
    void errorsTomcatRaisesItselfAreJsonToo() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> bigHeader = client.send(HttpRequest.newBuilder(uri("/api/conversations/abc"))
                .header("X-Padding", "p".repeat(10_000)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bigHeader.statusCode()).isIn(400, 431);
        assertThat(bigHeader.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(bigHeader.body()).doesNotContain("<html").contains("headers are larger");

        HttpResponse<String> bigUrl = client.send(HttpRequest.newBuilder(uri("/v1/models/" + "m".repeat(10_000))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bigUrl.statusCode()).isIn(400, 414);
        assertThat(bigUrl.body()).doesNotContain("<html").contains("\"error\"");

        HttpResponse<String> nul = client.send(HttpRequest.newBuilder(uri("/api/conversations/a%00b")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(nul.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(nul.body()).doesNotContain("<html");

        HttpResponse<String> slash = client.send(HttpRequest.newBuilder(uri("/api/conversations/a%2Fb")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(slash.statusCode()).isEqualTo(400);
        assertThat(slash.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void conversationIdsThatCannotBeOursAreRefusedWithoutBeingEchoed() {
        problem(http.post("/api/chat", Http.json(Map.of("conversationId", "", "message", "hi"))), 400,
                "leave it out to start a new conversation");
        String huge = "c".repeat(10_000);
        Http.Response r = http.post("/api/chat", Http.json(Map.of("conversationId", huge, "message", "hi")));
        problem(r, 400, "not a conversation id");
        assertThat(r.body()).doesNotContain("c".repeat(100));
        Http.Response get = http.get("/api/conversations/" + huge.substring(0, 2000));
        problem(get, 400, "not a conversation id");
        assertThat(get.body()).doesNotContain("c".repeat(100));
    }

    @Test
    void anEnumAnswerHasALimitHonoursItsDeadlineAndFreesTheModel() {
        List<String> tooMany = java.util.stream.IntStream.range(0, 3000).mapToObj(i -> "value " + i).toList();
        assertThat(openAiError(http.post(COMPLETIONS, Http.json(completion("response_format", enumFormat(tooMany)))),
                400, "response_format").get("message").asText()).contains("At most 256");
        List<String> tooLong = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "the answer number " + i).toList();
        assertThat(openAiError(http.post(COMPLETIONS, Http.json(completion("response_format", enumFormat(tooLong)))),
                400, "response_format").get("message").asText()).contains("at most 512");
        // As many as may be scored token by token.
        List<String> longOnes = java.util.stream.IntStream.range(0, 64).mapToObj(i -> "answer " + i + " of the list").toList();
        Map<String, Object> body = completion("response_format", enumFormat(longOnes));
        long start = System.nanoTime();
        Http.Response all = http.post(COMPLETIONS, Http.json(body));
        long allMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(all.status()).isEqualTo(200);
        assertThat(longOnes).contains(all.json().at("/choices/0/message/content").asText().replaceAll("^\"|\"$", ""));
        // With a deadline a tenth of that: 504 at the deadline, not after scoring them all; the model is free.
        start = System.nanoTime();
        Http.Response cut = http.post(COMPLETIONS, Http.json(body), Map.of("Request-Timeout", Math.max(20, allMs / 10) + "ms"));
        long cutMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("64 enum values scored in %d ms; with a deadline of a tenth, answered in %d ms%n", allMs, cutMs);
        openAiError(cut, 504, null);
        assertThat(cutMs).isLessThan(allMs / 2 + 200);
        assertThat(http.post(SENTIMENT, Http.json(Map.of("text", "next please"))).status()).isEqualTo(200);
    }

    private static Map<String, Object> enumFormat(List<String> values) {
        return Map.of("type", "json_schema", "json_schema", Map.of("name", "choice",
                "schema", Map.of("type", "string", "enum", values)));
    }

    @Test
    void afterAllOfThatTheServerStillAnswers() {
        outOfRangeSamplingParametersAre400NamingTheParameterQuietly();
        assertThat(http.post(SENTIMENT, Http.json(Map.of("text", "still here"))).status()).isEqualTo(200);
        assertThat(http.post(COMPLETIONS, Http.json(completion("max_tokens", 4))).status()).isEqualTo(200);
    }

    private void outOfRangeSamplingParametersAre400NamingTheParameterQuietly() {
        for (int i = 0; i < 20; i++) {
            assertThat(http.post(COMPLETIONS, Http.json(completion("top_p", 0))).status()).isEqualTo(400);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Text and raw bytes, in order. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }
}
