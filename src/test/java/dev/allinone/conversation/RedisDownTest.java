package dev.allinone.conversation;

import dev.allinone.testing.Http;
import dev.allinone.testing.RunningApp;
import dev.allinone.testing.ServiceProcess;
import dev.allinone.testing.TestRedis;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis goes away under the service ({@code store: redis}, the service's default timeouts): every request that
 * needs a conversation, and the readiness probe, answer 503 with Retry-After within a couple of seconds (they
 * once each held a request thread for 60 s); nothing is lost; and when Redis is back the service recovers by
 * itself.
 */
class RedisDownTest {

    @Test
    void whileRedisIsDownRequestsFailFastAndTheServiceRecoversWhenItIsBack() throws Exception {
        int port = ServiceProcess.freePort();
        Path dir = Files.createTempDirectory("allinone-redis-down");
        Process redis = TestRedis.start(port, dir);
        try (RunningApp app = RunningApp.start("allinone.conversations.store=redis",
                "spring.data.redis.url=redis://127.0.0.1:" + port)) {
            Http http = app.http();
            Http.Response first = http.post("/api/chat", Http.json(Map.of("message", "hello")));
            assertThat(first.status()).isEqualTo(200);
            String id = first.json().get("conversationId").asText();

            redis.destroy();
            redis.waitFor();
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                Http.Response r = i % 2 == 0 ? http.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "still there?")))
                        : http.get("/api/conversations/" + id);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(r.status()).as(r.body()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isNotNull();
                assertThat(r.json().get("code").asText()).isEqualTo("store_unavailable");
                assertThat(ms).as("request %d answered in %d ms", i, ms).isLessThan(3_000);
            }
            long start = System.nanoTime();
            assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(503);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);

            redis = TestRedis.start(port, dir);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> http.get("/actuator/health/readiness").status() == 200);
            Http.Response back = http.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "you are back")));
            assertThat(back.status()).as(back.body()).isEqualTo(200);
            // Nothing was lost, and nothing half-written: the first turn and this one.
            assertThat(http.get("/api/conversations/" + id).json().get("messages")).hasSize(4);
        } finally {
            redis.destroy();
        }
    }
}
