package dev.allinone.launch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.testing.Http;
import dev.allinone.testing.ServiceProcess;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service started with the README's run command, {@code ./mvnw spring-boot:run}, runs its vector kernels
 * compiled. (For a whole round that command launched the JVM with {@code -XX:TieredStopAtLevel=1}: the model ran
 * a hundred times slower, and every test passed, because none started the service that way.) Pointed at the
 * tiny generated checkpoint and an in-memory store by arguments; {@code -Dmaven.main.skip -Dmaven.test.skip} only
 * keep the nested build from recompiling the classes this test JVM is running.
 */
class ReadmeRunCommandTest {

    @Test
    void theReadmesRunCommandRunsTheKernelsCompiled() throws Exception {
        int port = ServiceProcess.freePort();
        String arguments = String.join(" ", "--server.port=" + port, "--allinone.model.offline=true",
                "--allinone.model.models-dir=" + TestModels.tiny(), "--allinone.conversations.store=memory");
        List<String> command = List.of("./mvnw", "-q", "spring-boot:run", "-Dmaven.main.skip=true", "-Dmaven.test.skip=true",
                "-Dspring-boot.run.arguments=" + arguments);
        try (ServiceProcess service = ServiceProcess.start(command, port)) {
            service.awaitReady(Duration.ofMinutes(3));
            Http http = service.http();
            // Measured in the background once the model is loaded.
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    http.get("/actuator/info").json().at("/engine/vectorKernels/compiled").isBoolean());
            JsonNode engine = http.get("/actuator/info").json().get("engine");
            JsonNode kernels = engine.get("vectorKernels");
            assertThat(kernels.get("compiled").asBoolean()).as(engine.toString()).isTrue();
            assertThat(kernels.get("gflopsOneThread").asDouble()).isGreaterThan(1.0);
            assertThat(service.output()).doesNotContain("NOT compiled", "TieredStopAtLevel");
            // The weight format's cost against the checkpoint's BF16 weights, in -Xmx1g (the reference is read in
            // place): logged in one line and in /actuator/info.
            assertThat(engine.at("/weightsQuality/format").asText()).isEqualTo("Q4KM");
            assertThat(engine.at("/weightsQuality/logitRmsError").isNumber()).as(engine.toString()).isTrue();
            assertThat(engine.at("/weightsQuality/sentiment/messages").asInt()).as(engine.toString()).isEqualTo(60);
            assertThat(engine.at("/weightsQuality/sentiment/labelAgreement").isNumber()).as(engine.toString()).isTrue();
            assertThat(service.output()).contains("Weight format quality: Q4KM against BF16 on 2,048 calibration positions")
                    .contains("sentiment on 60 messages: label agreement");
            // And it answers.
            assertThat(http.post("/api/sentiment", Http.json(Map.of("text", "It works!"))).status()).isEqualTo(200);
        }
    }
}
