package dev.allinone.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.AllInOneApplication;
import dev.allinone.testing.Http;
import dev.allinone.testing.RunningApp;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service killed with SIGKILL while conversations are being written (the embedded SQLite store): after a
 * restart the database is sound, every turn a client got an answer for is there, and no conversation holds
 * half a turn.
 */
class CrashTest {

    private static final int CLIENTS = 4;

    @TempDir
    Path data;

    @Test
    void killedDuringWritesEveryAcknowledgedTurnSurvivesAndNothingIsHalfWritten() throws Exception {
        Path db = data.resolve("conversations.db");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process service = startService(port, db);
        try {
            Http http = new Http(port);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> http.get("/actuator/health/readiness").status() == 200);

            // Each client talks in its own conversation, turn after turn, and notes every turn answered.
            Map<Integer, String> ids = new ConcurrentHashMap<>();
            Map<Integer, Integer> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger answered = new AtomicInteger();
            AtomicBoolean killed = new AtomicBoolean();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> talking = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                talking.add(clients.submit(() -> {
                    Http mine = new Http(port);
                    for (int turn = 1; !killed.get(); turn++) {
                        String id = ids.get(client);
                        String message = "client " + client + " turn " + turn + " 你好";
                        Map<String, String> body = id == null ? Map.of("message", message)
                                : Map.of("conversationId", id, "message", message);
                        try {
                            Http.Response r = mine.post("/api/chat", Http.json(body));
                            if (r.status() != 200) {
                                throw new AssertionError("turn " + turn + " of client " + client + ": " + r.body());
                            }
                            ids.putIfAbsent(client, r.json().get("conversationId").asText());
                            acknowledged.put(client, turn);
                            answered.incrementAndGet();
                        } catch (UncheckedIOException connectionLost) {
                            return null; // the service was killed
                        }
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> answered.get() >= 40 && ids.size() == CLIENTS);
            service.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            killed.set(true);
            System.out.printf("killed after %d answered turns%n", answered.get());
            service.waitFor(30, TimeUnit.SECONDS);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            for (Future<?> client : talking) {
                client.get(); // every answer before the kill was a 200
            }

            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }

            try (RunningApp restarted = RunningApp.start("allinone.conversations.sqlite-file=" + db)) {
                Http after = restarted.http();
                for (int client = 0; client < CLIENTS; client++) {
                    String id = ids.get(client);
                    int acked = acknowledged.get(client);
                    Http.Response r = after.get("/api/conversations/" + id);
                    assertThat(r.status()).isEqualTo(200);
                    JsonNode messages = r.json().get("messages");
                    // Whole turns only, in order: user, assistant, user, assistant... The turn in flight at the
                    // kill may or may not have been kept (written, but the answer never arrived).
                    assertThat(messages.size() % 2).as("client %d: whole turns", client).isZero();
                    int turns = messages.size() / 2;
                    System.out.printf("client %d: %d turns acknowledged before the kill, %d kept%n", client, acked, turns);
                    assertThat(turns).as("client %d: acknowledged %d", client, acked).isBetween(acked, acked + 1);
                    for (int t = 0; t < turns; t++) {
                        assertThat(messages.get(2 * t).get("role").asText()).isEqualTo("user");
                        assertThat(messages.get(2 * t).get("text").asText())
                                .isEqualTo("client " + client + " turn " + (t + 1) + " 你好");
                        assertThat(messages.get(2 * t).get("sentiment").isNull()).isFalse();
                        assertThat(messages.get(2 * t + 1).get("role").asText()).isEqualTo("assistant");
                    }
                    Http.Response next = after.post("/api/chat",
                            Http.json(Map.of("conversationId", id, "message", "still there?")));
                    assertThat(next.status()).isEqualTo(200);
                }
            }
        } finally {
            service.destroyForcibly();
        }
    }

    /** The service as its own JVM (so that it can be killed), on this test's classpath and checkpoint. */
    private static Process startService(int port, Path db) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Djlama.max_batch_size=5", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), AllInOneApplication.class.getName(),
                "--server.port=" + port, "--allinone.model.offline=true",
                "--allinone.model.models-dir=" + TestModels.tiny(), "--allinone.engine.max-new-tokens=8",
                "--allinone.conversations.sqlite-file=" + db));
        Path log = Files.createTempFile(db.getParent(), "service", ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
