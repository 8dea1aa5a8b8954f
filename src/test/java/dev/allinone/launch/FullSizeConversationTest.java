package dev.allinone.launch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.AllInOneApplication;
import dev.allinone.testing.Http;
import dev.allinone.testing.ServiceProcess;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole support conversation on the full-size checkpoint (Qwen1.5-0.5B's real shape: its attention state is 16
 * times the tiny test model's per token), in a JVM started with the README's flags ({@code -Xmx1g}) and the
 * default settings: answers of up to 256 tokens (random weights rarely stop earlier) until the companion's memory
 * forgets (more than 2,560 remembered tokens), and on. Once ten such turns ran a 1 GB heap out of memory.
 *
 * <p>Every turn answers 200; a continuing turn computes only its new message (and the sentiment of it), except
 * the turn where the memory window dropped old messages, which computes what it still remembers once; and the
 * model's memory stays within its budget.
 */
class FullSizeConversationTest {

    private static final int TURNS = 11;

    @Test
    void aConversationUntilTheMemoryForgetsAnswersEveryTurnUnderTheReadmesFlags() throws Exception {
        int port = ServiceProcess.freePort();
        List<String> command = ServiceProcess.java(List.of("--add-modules", "jdk.incubator.vector",
                        "--enable-native-access=ALL-UNNAMED", "-Xmx1g"), AllInOneApplication.class.getName(),
                List.of("--server.port=" + port, "--allinone.model.offline=true",
                        "--allinone.model.models-dir=" + TestModels.full(), "--allinone.conversations.store=memory",
                        // The weight format's quality report (a minute and a half at this size, once) is not what
                        // this test is about; ReadmeRunCommandTest and QualityReportTest hold it.
                        "--allinone.engine.quality.report=false"));
        try (ServiceProcess service = ServiceProcess.start(command, port)) {
            service.awaitReady(Duration.ofMinutes(3));
            Http http = service.http();
            String id = null;
            int forgettingTurns = 0;
            List<String> log = new ArrayList<>();
            for (int turn = 1; turn <= TURNS; turn++) {
                Map<String, Double> before = counters(http);
                Map<String, String> body = new HashMap<>(Map.of("message",
                        "Turn " + turn + ": my parcel has not arrived yet, 我的包裹还没到，what can I do?"));
                if (id != null) {
                    body.put("conversationId", id);
                }
                long start = System.nanoTime();
                Http.Response r = http.post("/api/chat", Http.json(body), Map.of("Request-Timeout", "300"));
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(r.status()).as("turn %d: %s\n%s", turn, r.body(), service.output()).isEqualTo(200);
                id = r.json().get("conversationId").asText();
                Map<String, Double> after = counters(http);
                double computed = delta(before, after, "prompt") - delta(before, after, "cached");
                double misses = delta(before, after, "misses");
                log.add(String.format("turn %d: %d ms, %.0f prompt tokens computed, %.0f cached, %.0f generated, "
                                + "conversation misses %.0f", turn, ms, computed, delta(before, after, "cached"),
                        delta(before, after, "generated"), misses));
                if (turn > 1 && misses > 0) {
                    forgettingTurns++;
                } else if (turn > 1) {
                    // The new message, the template's glue, and the same message labelled for its sentiment.
                    assertThat(computed).as(log.get(log.size() - 1)).isLessThan(200);
                }
            }
            log.forEach(System.out::println);
            JsonNode memory = http.get("/actuator/health/readiness").json().at("/components/model/details/memory");
            System.out.println("memory: " + memory);
            // The window forgets in bulk (half at a time), so its next turn recomputes what remains once.
            assertThat(forgettingTurns).as(String.join("\n", log)).isBetween(1, 2);
            assertThat(memory.get("attentionKeptBytes").asLong() + memory.get("attentionRunningBytes").asLong())
                    .isLessThanOrEqualTo(memory.get("attentionLimitBytes").asLong());
            assertThat(service.output()).doesNotContain("OutOfMemoryError");
        }
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
    }

    /** The engine's token counters and the conversation misses, from the Prometheus endpoint. */
    private static Map<String, Double> counters(Http http) {
        Map<String, Double> values = new HashMap<>();
        for (String line : http.get("/actuator/prometheus").body().split("\n")) {
            if (line.startsWith("allinone_engine_tokens_total{")) {
                String kind = line.replaceAll(".*kind=\"(\\w+)\".*", "$1");
                values.put(kind, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            } else if (line.startsWith("allinone_kvcache_conversation_misses_total")) {
                values.put("misses", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return values;
    }
}
