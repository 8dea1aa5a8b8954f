package dev.allinone.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.AllInOneApplication;
import dev.allinone.engine.LocalEngine;
import dev.allinone.testing.Http;
import dev.allinone.testing.Sse;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 16 clients, 400 requests mixing sentiment, chat and streamed chat, against a queue small enough to
 * overflow. Every request ends with 200, 503 + Retry-After or 504 — never a 500, never a hang; no
 * conversation loses an acknowledged message; memory returns to where it was.
 */
@SpringBootTest(classes = AllInOneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "allinone.model.offline=true",
                "allinone.engine.max-new-tokens=16",
                "allinone.engine.kv-cache-budget=2MB",
                "allinone.engine.queue-capacity=4",
                "allinone.engine.queue-timeout=2s",
                "allinone.api.timeout=4s",
        })
class LoadTest {

    private static final int CLIENTS = 16;
    private static final int REQUESTS_PER_CLIENT = 25;

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("allinone.model.models-dir", () -> TestModels.tiny().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    LocalEngine engine;

    /** What one client saw. */
    private static final class Client {
        String conversationId;
        final List<String> acknowledged = new ArrayList<>();
    }

    @Test
    void everyRequestEndsWellOrIsToldToRetryAndNothingAcknowledgedIsLost() throws Exception {
        Http warm = new Http(port);
        for (int i = 0; i < 8; i++) {
            warm.post("/api/chat", Http.json(Map.of("message", "warm-up " + i)));
        }
        long directBefore = settledDirectMemory();

        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<Client> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < CLIENTS; c++) {
            Client client = new Client();
            clients.add(client);
            int clientNumber = c;
            done.add(pool.submit(() -> {
                Http http = new Http(port, "127.0.0." + (30 + clientNumber));
                for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                    long t = System.nanoTime();
                    int status = request(http, client, clientNumber, i, problems);
                    latencies.add((System.nanoTime() - t) / 1e6);
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    if (status == 503) {
                        Thread.sleep(100 + (long) (Math.random() * 200)); // a polite client backs off a little
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES); // no hang
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();

        System.out.printf("LOAD: %d requests in %.1f s, statuses %s, latency p50 %.0f ms p99 %.0f ms%n",
                latencies.size(), seconds, statuses, percentile(latencies, 50), percentile(latencies, 99));
        assertThat(problems).isEmpty();
        assertThat(latencies).hasSize(CLIENTS * REQUESTS_PER_CLIENT);
        assertThat(statuses.keySet()).isSubsetOf(200, 503, 504);
        assertThat(statuses.get(200).get()).isGreaterThan(CLIENTS * REQUESTS_PER_CLIENT / 10);
        assertThat(statuses).containsKey(503); // the queue did overflow

        Http http = new Http(port);
        for (Client client : clients) {
            if (client.conversationId == null) {
                continue;
            }
            JsonNode messages = http.get("/api/conversations/" + client.conversationId).json().get("messages");
            List<String> userMessages = new ArrayList<>();
            messages.forEach(m -> {
                if (m.get("role").asText().equals("user")) {
                    userMessages.add(m.get("text").asText());
                }
            });
            assertThat(userMessages).containsAll(client.acknowledged);
            // In the order they were acknowledged.
            assertThat(userMessages.stream().filter(client.acknowledged::contains).toList()).isEqualTo(client.acknowledged);
        }

        assertThat(engine.waiting()).isZero();
        assertThat(engine.kvCachesInUse()).isZero();
        long growth = settledDirectMemory() - directBefore;
        assertThat(growth).as("direct memory growth, bytes").isLessThan(engine.kvCacheStats().budgetBytes() + (4 << 20));
    }

    /** One request of a client: sentiment, chat or streamed chat, in turn; returns the HTTP status. */
    private static int request(Http http, Client client, int clientNumber, int i, List<String> problems) {
        String message = "client " + clientNumber + " message " + i;
        Map<String, Object> body = new java.util.HashMap<>(Map.of("message", message));
        if (client.conversationId != null) {
            body.put("conversationId", client.conversationId);
        }
        switch (i % 3) {
            case 0 -> {
                Http.Response r = http.post("/api/sentiment", Http.json(Map.of("text", message)));
                check(r, problems);
                return r.status();
            }
            case 1 -> {
                Http.Response r = http.post("/api/chat", Http.json(body));
                check(r, problems);
                if (r.status() == 200) {
                    client.conversationId = r.json().get("conversationId").asText();
                    client.acknowledged.add(message);
                }
                return r.status();
            }
            default -> {
                Sse.Stream s = Sse.post(http.port(), "/api/chat/stream", Http.json(body), Sse.untilEnd());
                if (s.status() != 200) {
                    if (!s.contentType().startsWith("application/problem+json")) {
                        problems.add("stream refused without problem details: " + s.status());
                    }
                    return s.status();
                }
                Sse.Event last = s.events().get(s.events().size() - 1);
                if (last.name().equals("done")) {
                    client.conversationId = s.events().get(0).data().get("conversationId").asText();
                    client.acknowledged.add(message);
                    return 200;
                }
                // An error after the stream started: report its status.
                int status = last.data().get("status").asInt();
                if (status != 503 && status != 504) {
                    problems.add("stream error event " + last.data());
                }
                return status;
            }
        }
    }

    private static void check(Http.Response r, List<String> problems) {
        if (r.status() == 503 && r.header("Retry-After") == null) {
            problems.add("503 without Retry-After: " + r.body());
        }
        if (r.status() != 200 && !r.contentType().startsWith("application/problem+json")) {
            problems.add(r.status() + " without problem details: " + r.body());
        }
    }

    private static double percentile(List<Double> samples, double p) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100 * sorted.size()) - 1));
    }

    private static long settledDirectMemory() throws InterruptedException {
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            lowest = Math.min(lowest, ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum());
        }
        return lowest;
    }
}
