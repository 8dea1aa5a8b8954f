package dev.allinone.web;

import dev.allinone.engine.LocalEngine;
import dev.allinone.testing.Http;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Many clients at once on one model: everyone is answered, nothing leaks. */
class ApiUnderLoadTest extends ApiTestBase {

    @Autowired
    LocalEngine engine;

    @Test
    void sixteenConcurrentRequestsAreAllAnsweredCorrectly() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<Http.Response>> sentiments = new ArrayList<>();
            List<Future<Http.Response>> chats = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String n = String.valueOf(i);
                sentiments.add(clients.submit(() -> http.post("/api/sentiment", Http.json(Map.of("text", "评价 " + n + " great service")))));
                chats.add(clients.submit(() -> http.post("/api/chat", Http.json(Map.of("message", "client " + n + " needs help")))));
            }
            for (Future<Http.Response> f : sentiments) {
                Http.Response r = f.get();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.json().get("sentiment").asText()).isIn("POSITIVE", "NEGATIVE", "NEUTRAL");
            }
            Set<String> ids = new HashSet<>();
            for (Future<Http.Response> f : chats) {
                Http.Response r = f.get();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                ids.add(r.json().get("conversationId").asText());
            }
            assertThat(ids).hasSize(8);
            for (String id : ids) {
                assertThat(http.get("/api/conversations/" + id).json().get("messages")).hasSize(2);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(engine.kvCachesInUse()).isZero();
    }

    @Test
    void fiveHundredMixedRequestsFromFourClientsLeaveTheHeapAndNativeMemoryFlat() throws Exception {
        // Warm up until the KV reuse pool is full (2 MB) and the caches have what they need; from then on memory
        // must stay flat: the KV caches are on the heap (16-bit pages), so a cache a request forgot to release,
        // or state kept past the budget, shows there.
        for (int i = 0; i < 60; i++) {
            mixedRequest(i);
        }
        long heapBefore = settled(ApiUnderLoadTest::heapUsed);
        long directBefore = settled(ApiUnderLoadTest::directMemoryUsed);
        // Four clients at once, so that requests share the model's steps (continuous batching).
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    for (int i = 0; i < 125; i++) {
                        mixedRequest(client * 1000 + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(engine.kvCachesInUse()).isZero();
        assertThat(engine.waiting()).isZero();
        assertThat(engine.kvCacheStats().bytes()).isLessThanOrEqualTo(engine.kvCacheStats().budgetBytes());
        assertThat(engine.kvCacheStats().evictions()).isPositive();
        assertThat(engine.kvCacheStats().bytes() + engine.kvCacheStats().leasedBytes())
                .isLessThanOrEqualTo(engine.memory().forAttention());
        // 100 new conversations are kept in the (in-memory) store meanwhile: a few KB each.
        long heapGrowth = settled(ApiUnderLoadTest::heapUsed) - heapBefore;
        org.slf4j.LoggerFactory.getLogger(ApiUnderLoadTest.class).info("Heap growth over 500 requests: {} KB", heapGrowth >> 10);
        assertThat(heapGrowth).as("heap growth over 500 requests, bytes").isLessThan(8L << 20);
        long directGrowth = settled(ApiUnderLoadTest::directMemoryUsed) - directBefore;
        assertThat(directGrowth).as("direct (native) memory growth over 500 requests, bytes").isLessThan(1 << 20);
    }

    private void mixedRequest(int i) {
        Http.Response r = i % 2 == 0
                ? http.post("/api/sentiment", Http.json(Map.of("text", "request " + i + " 还不错")))
                : http.post("/api/chat", Http.json(Map.of("message", "request " + i)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Memory still reachable: collect first and take the lowest of a few readings. */
    private static long settled(java.util.function.LongSupplier reading) throws InterruptedException {
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            lowest = Math.min(lowest, reading.getAsLong());
        }
        return lowest;
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long directMemoryUsed() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }
}
