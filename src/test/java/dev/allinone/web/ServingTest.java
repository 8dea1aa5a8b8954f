package dev.allinone.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.AllInOneApplication;
import dev.allinone.engine.LocalEngine;
import dev.allinone.testing.FaultyTransformers;
import dev.allinone.testing.Http;
import dev.allinone.testing.Sse;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Serving one model to many over real HTTP: deadlines (504), a full queue (503 + Retry-After), the per-client
 * limit (429), streams that stop when the client hangs up, a failing engine, health and metrics. Long answers
 * here (up to 3000 tokens) so that requests overlap.
 */
@AutoConfigureObservability // Spring Boot tests turn metrics export (the Prometheus endpoint) off otherwise
@SpringBootTest(classes = {AllInOneApplication.class, ServingTest.Faults.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "allinone.model.offline=true",
                "allinone.engine.max-new-tokens=3000",
                "allinone.engine.queue-capacity=2",
                "allinone.engine.batch.max-sequences=2",
                "allinone.engine.queue-timeout=20s",
                "allinone.api.max-concurrent-per-client=1",
        })
class ServingTest {

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("allinone.model.models-dir", () -> TestModels.tiny().toString());
    }

    @TestConfiguration
    static class Faults {
        @Bean
        FaultyTransformers faultyTransformers() {
            return new FaultyTransformers();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    LocalEngine engine;

    @Autowired
    FaultyTransformers faults;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.waiting() == 0 && engine.kvCachesInUse() == 0);
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    /** Tokens the engine generated so far. */
    private double generated() {
        return meters.get("allinone.engine.tokens").tag("kind", "generated").counter().count();
    }

    private static String chat(String message) {
        return Http.json(Map.of("message", message));
    }

    @Test
    void pastItsDeadlineARequestGets504AndTheNextOneIsServed() {
        long start = System.nanoTime();
        Http.Response late = http.post("/api/chat", chat("tell me a very long story"), Map.of("Request-Timeout", "0.8"));
        assertThat(late.status()).isEqualTo(504);
        assertThat(late.contentType()).startsWith("application/problem+json");
        assertThat(late.json().get("detail").asText()).contains("deadline");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(2)).until(() -> engine.kvCachesInUse() == 0);
        assertThat(http.post("/api/sentiment", Http.json(Map.of("text", "fine")), Map.of()).status()).isEqualTo(200);
    }

    @Test
    void aBadTimeoutHeaderIs400() {
        Http.Response r = http.post("/api/sentiment", Http.json(Map.of("text", "x")), Map.of("Request-Timeout", "soon"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("Request-Timeout");
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        // Two run together in the batch (max-sequences=2), two wait for a place (queue-capacity=2), the fifth is
        // refused at once. Long answers through /v1 (one model task each, no label first); four clients, so the
        // per-client limit stays out of it.
        List<CompletableFuture<Http.Response>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Http client = new Http(port, "127.0.0." + (10 + i));
            running.add(CompletableFuture.supplyAsync(() -> client.post("/v1/chat/completions", Http.json(Map.of(
                    "model", "allinone", "max_tokens", 3000,
                    "messages", List.of(Map.of("role", "user", "content", "long one")))), Map.of("Request-Timeout", "4"))));
            int admitted = i + 1;
            // An event to wait for, not a guess: the first two in the batch, the others waiting.
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.inBatch() == Math.min(admitted, 2)
                    && engine.waiting() == Math.max(0, admitted - 2));
        }
        Http.Response refused = new Http(port, "127.0.0.20").post("/api/chat", chat("one more"), Map.of());
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("10");
        assertThat(refused.json().get("title").asText()).isEqualTo("Busy");
        for (CompletableFuture<Http.Response> r : running) {
            assertThat(r.get(30, TimeUnit.SECONDS).status()).isIn(200, 504);
        }
    }

    @Test
    void oneClientMayHaveOnlySoManyRequestsInFlight() throws Exception {
        // max-concurrent-per-client=1: while this client's stream runs, its next request is refused.
        CountDownLatch streaming = new CountDownLatch(1);
        CountDownLatch hangUp = new CountDownLatch(1);
        CompletableFuture<Sse.Stream> stream = CompletableFuture.supplyAsync(() -> Sse.post(port, "/api/chat/stream",
                chat("a long answer"), "5", "127.0.0.40", events -> {
                    streaming.countDown();
                    try {
                        hangUp.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return true;
                }));
        assertThat(streaming.await(20, TimeUnit.SECONDS)).isTrue();
        Http sameClient = new Http(port, "127.0.0.40");
        Http.Response second = sameClient.post("/api/sentiment", Http.json(Map.of("text", "me again")), Map.of());
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.header("Retry-After")).isNotNull();
        assertThat(new Http(port, "127.0.0.41").post("/api/sentiment", Http.json(Map.of("text", "someone else")), Map.of())
                .status()).isEqualTo(200);
        hangUp.countDown();
        assertThat(stream.get(20, TimeUnit.SECONDS).events()).isNotEmpty();
    }

    @Test
    void aClientThatHangsUpMidStreamStopsItsGeneration() {
        String id = http.post("/api/chat", chat("hello"), Map.of("Request-Timeout", "2")).json().path("conversationId").asText(null);
        // (the turn above may have hit its deadline; then start a fresh conversation)
        String body = id == null ? chat("a long answer please")
                : Http.json(Map.of("conversationId", id, "message", "a long answer please"));
        double generatedBefore = generated();
        Sse.Stream stream = Sse.post(port, "/api/chat/stream", body, events -> events.size() >= 4);
        assertThat(stream.events().get(0).name()).isEqualTo("sentiment");
        assertThat(stream.events().get(1).name()).isEqualTo("delta");
        // Hung up after three deltas of a 3000-token answer: the model is free again in a moment (allowing for a
        // busy machine), and what it generated after the hang-up is only what was already on its way (events
        // queued for the writer and the socket's buffers, until a write fails), not the rest of the answer.
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.kvCachesInUse() == 0 && engine.waiting() == 0);
        double afterHangUp = generated() - generatedBefore - 3;
        org.slf4j.LoggerFactory.getLogger(ServingTest.class).info("Tokens generated after the hang-up: {}", afterHangUp);
        assertThat(afterHangUp).as("tokens generated after the client hung up").isLessThan(32);
        Http.Response next = new Http(port, "127.0.0.42").post("/api/sentiment", Http.json(Map.of("text", "next")), Map.of());
        assertThat(next.status()).isEqualTo(200);
        if (id != null) {
            // The unfinished answer was not remembered.
            JsonNode messages = http.get("/api/conversations/" + id).json().get("messages");
            assertThat(messages.toString()).doesNotContain("a long answer please");
        }
    }

    @Test
    void aStreamPastItsDeadlineEndsWithAnErrorEvent() {
        Sse.Stream stream = Sse.post(port, "/api/chat/stream", chat("stream until the deadline"), "1.5", Sse.untilEnd());
        assertThat(stream.status()).isEqualTo(200);
        Sse.Event last = stream.events().get(stream.events().size() - 1);
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().get("status").asInt()).isEqualTo(504);
        assertThat(stream.events()).extracting(Sse.Event::name).contains("sentiment", "delta");
    }

    @Test
    void whenTheEngineFailsMidAnswerTheServerStaysUpAndTheConversationIsIntact() {
        // A conversation with one complete turn (its answer may be long: the deadline leaves it time to finish).
        Http.Response first = http.post("/api/chat", chat("first"), Map.of("Request-Timeout", "60"));
        assertThat(first.status()).isEqualTo(200);
        String id = first.json().get("conversationId").asText();
        JsonNode before = http.get("/api/conversations/" + id).json().get("messages");
        assertThat(before).hasSize(2);

        // Its next turn breaks in the middle of the answer.
        faults.failAfter(5);
        Http.Response failed = http.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "this one breaks")),
                Map.of("Request-Timeout", "60"));
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.contentType()).startsWith("application/problem+json");
        assertThat(failed.body()).contains("incident").doesNotContain("injected kernel fault", "\tat ");
        assertThat(engine.kvCachesInUse()).isZero();

        // The conversation is exactly as it was after its last complete turn, and it goes on.
        assertThat(http.get("/api/conversations/" + id).json().get("messages")).isEqualTo(before);
        Http.Response next = http.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "still there?")),
                Map.of("Request-Timeout", "60"));
        assertThat(next.status()).isEqualTo(200);
        JsonNode after = http.get("/api/conversations/" + id).json().get("messages");
        assertThat(after).hasSize(4);
        assertThat(after.get(0)).isEqualTo(before.get(0));
        assertThat(after.get(2).get("text").asText()).isEqualTo("still there?");
    }

    @Test
    void readinessShowsTheModelAndMetricsArePublished() {
        Http.Response readiness = http.get("/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        JsonNode model = readiness.json().path("components").path("model");
        assertThat(model.path("status").asText()).isEqualTo("UP");
        assertThat(model.path("details").path("weights").asText()).isEqualTo("Q4");
        // This application's kernels are the test's own (a TransformerFactory bean): no quality report, and it says
        // so (ReadmeRunCommandTest sees the measured one).
        assertThat(model.path("details").path("weightsQuality").path("format").asText()).isEqualTo("Q4");
        assertThat(model.path("details").path("weightsQuality").path("measured").asBoolean(true)).isFalse();
        assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);

        http.post("/api/sentiment", Http.json(Map.of("text", "count me")), Map.of());
        String metrics = http.get("/actuator/prometheus").body();
        assertThat(metrics).contains("allinone_engine_queue_wait_seconds", "allinone_engine_task_seconds",
                "allinone_engine_tokens_total", "allinone_kvcache_requests_total", "allinone_engine_queue_depth",
                "http_server_requests_seconds");
    }
}
