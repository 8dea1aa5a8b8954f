package dev.allinone.model;

import dev.allinone.AllInOneApplication;
import dev.allinone.testing.Http;
import dev.allinone.testing.LocalHuggingFaceHub;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The application while its model is fetched, and when it cannot get one. */
@ExtendWith(OutputCaptureExtension.class)
class ModelLoadingAppTest {

    @TempDir
    Path modelsDir;

    @Test
    void answers503WithRetryAfterWhileDownloadingThenServes() throws Exception {
        try (LocalHuggingFaceHub hub = new LocalHuggingFaceHub(TestModels.MODEL_ID,
                TestModels.directory(TestModels.tiny()).path()).throttle(2_000_000)) { // ~12 s: still downloading once the web server is up
            SpringApplication app = new SpringApplication(AllInOneApplication.class);
            CompletableFuture<Integer> port = new CompletableFuture<>();
            app.addListeners(event -> {
                if (event instanceof WebServerInitializedEvent started) {
                    port.complete(started.getWebServer().getPort());
                }
            });
            CompletableFuture<ConfigurableApplicationContext> context = CompletableFuture.supplyAsync(() -> app.run(
                    "--server.port=0", "--allinone.model.models-dir=" + modelsDir, "--allinone.model.hub-url=" + hub.url(),
                    "--allinone.model.offline=false", "--allinone.engine.max-new-tokens=4"));
            try {
                Http http = new Http(port.get(30, TimeUnit.SECONDS));

                Http.Response busy = http.post("/api/sentiment", Http.json(Map.of("text", "hello")));
                assertThat(busy.status()).isEqualTo(503);
                assertThat(busy.contentType()).startsWith("application/problem+json");
                assertThat(busy.header("Retry-After")).isEqualTo("10");
                assertThat(busy.json().get("detail").asText()).contains("not ready").contains("download");
                assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(503);
                assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);

                context.get(60, TimeUnit.SECONDS);
                assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
                Http.Response ok = http.post("/api/sentiment", Http.json(Map.of("text", "hello")));
                assertThat(ok.status()).isEqualTo(200);
            } finally {
                context.thenAccept(ConfigurableApplicationContext::close).get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void withoutAModelStartupStopsWithOneClearMessage(CapturedOutput output) {
        SpringApplication app = new SpringApplication(AllInOneApplication.class);
        assertThatThrownBy(() -> app.run("--server.port=0", "--allinone.model.models-dir=" + modelsDir,
                "--allinone.model.offline=true")).hasRootCauseInstanceOf(ModelUnavailableException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("is not in " + modelsDir.resolve("Qwen_Qwen1.5-0.5B-Chat"))
                .contains("huggingface-cli download Qwen/Qwen1.5-0.5B-Chat");
    }
}
