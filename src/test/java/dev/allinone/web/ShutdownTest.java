package dev.allinone.web;

import dev.allinone.AllInOneApplication;
import dev.allinone.engine.LocalEngine;
import dev.allinone.model.ModelStatus;
import dev.allinone.testing.Http;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutting down under load: in-flight requests finish (or are told to come back), nothing answers 500 or
 * hangs, the model is released, no file is left behind.
 */
class ShutdownTest {

    @Test
    void aGracefulShutdownDuringLoadEndsEveryRequestCleanly() throws Exception {
        SpringApplication app = new SpringApplication(AllInOneApplication.class);
        CompletableFuture<Integer> port = new CompletableFuture<>();
        app.addListeners(event -> {
            if (event instanceof WebServerInitializedEvent started) {
                port.complete(started.getWebServer().getPort());
            }
        });
        ConfigurableApplicationContext context = app.run("--server.port=0", "--allinone.model.offline=true",
                "--allinone.model.models-dir=" + TestModels.tiny(), "--allinone.engine.max-new-tokens=200",
                "--allinone.engine.queue-capacity=8", "--spring.lifecycle.timeout-per-shutdown-phase=5s");
        LocalEngine engine = context.getBean(LocalEngine.class);
        int serverPort = port.get(10, TimeUnit.SECONDS);

        List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int client = c;
            running.add(clients.submit(() -> {
                Http http = new Http(serverPort, "127.0.0." + (60 + client));
                while (!stop.get()) {
                    try {
                        Http.Response r = client % 2 == 0
                                ? http.post("/api/chat", Http.json(Map.of("message", "during shutdown " + client)))
                                : http.post("/api/sentiment", Http.json(Map.of("text", "during shutdown " + client)));
                        outcomes.add(String.valueOf(r.status()));
                    } catch (UncheckedIOException e) {
                        outcomes.add("connection closed"); // the server is gone: a client retries elsewhere
                        Thread.sleep(50);
                    }
                }
                return null;
            }));
        }
        Thread.sleep(1500);
        long workersBefore = inferenceThreads();
        long closing = System.nanoTime();
        context.close();
        double closeSeconds = (System.nanoTime() - closing) / 1e9;
        stop.set(true);
        for (Future<?> f : running) {
            f.get(30, TimeUnit.SECONDS); // nobody hangs
        }
        clients.shutdown();

        System.out.printf("SHUTDOWN: closed in %.1f s; outcomes %s%n", closeSeconds,
                outcomes.stream().collect(java.util.stream.Collectors.groupingBy(o -> o, java.util.stream.Collectors.counting())));
        assertThat(outcomes).contains("200");
        assertThat(outcomes).allMatch(o -> List.of("200", "503", "504", "connection closed").contains(o));
        assertThat(closeSeconds).isLessThan(20);
        assertThat(engine.status().phase()).isEqualTo(ModelStatus.Phase.STOPPED);
        assertThat(engine.isRunning()).isFalse();
        assertThat(inferenceThreads()).isEqualTo(workersBefore - 1); // this engine's thread is gone
        try (Stream<Path> files = Files.walk(Path.of("").toAbsolutePath(), 6)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".page"))).isEmpty();
        }
    }

    private static long inferenceThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("allinone-inference") && t.isAlive()).count();
    }
}
