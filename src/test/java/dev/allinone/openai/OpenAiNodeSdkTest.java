package dev.allinone.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.AllInOneApplication;
import dev.allinone.security.ApiKeys;
import dev.allinone.testing.RunningApp;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official OpenAI Node SDK (6.x, pinned in {@code src/test/node/openai-client/package-lock.json}) against the
 * running service: {@code openai-client.mjs} runs every check a Node application would (plain, streamed and
 * JSON-schema chat with the SDK's own parse and stream helpers, usage, {@code max_tokens}, the model list and
 * {@code models.retrieve} with its encoded slash, errors as the SDK's error classes with {@code param}, the raw
 * SSE framing) and prints one JSON line per check; each becomes a test here. Needs Node.js and npm (the npm
 * registry for {@code npm ci}); skipped without them unless {@code ALLINONE_REQUIRE_NODE} is set, as in CI.
 */
@SpringBootTest(classes = AllInOneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"allinone.model.offline=true", "allinone.engine.max-new-tokens=16"})
class OpenAiNodeSdkTest {

    private static final Path SOURCES = Path.of("src", "test", "node", "openai-client");
    private static final Path INSTALLED = Path.of("target", "node", "openai-client");

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("allinone.model.models-dir", () -> TestModels.tiny().toString());
    }

    @LocalServerPort
    int port;

    @TestFactory
    List<DynamicTest> theOpenAiNodeSdkWorksAgainstTheService() throws Exception {
        Path client = install();
        List<DynamicTest> checks = new ArrayList<>(run(client, "http://127.0.0.1:" + port + "/v1", null, Map.of()));
        // With API keys on: a wrong key is the SDK's AuthenticationError.
        String key = "node-sdk-test-key";
        try (RunningApp withKeys = RunningApp.start("allinone.security.api-keys.node=" + HexFormat.of().formatHex(ApiKeys.sha256(key)))) {
            checks.addAll(run(client, "http://127.0.0.1:" + withKeys.port() + "/v1", key,
                    Map.of("ONLY", "auth.wrong-key,models.list,chat.plain")));
        }
        return checks;
    }

    /** The client, with {@code npm ci} done (once per build) in a copy under target/. */
    private static Path install() throws IOException, InterruptedException {
        boolean required = System.getenv("ALLINONE_REQUIRE_NODE") != null;
        if (!command("node", "--version") || !command("npm", "--version")) {
            if (required) {
                throw new IllegalStateException("Node.js and npm are needed for the OpenAI Node SDK test");
            }
            Assumptions.abort("No node/npm: the OpenAI Node SDK test is skipped (set ALLINONE_REQUIRE_NODE to fail instead)");
        }
        if (!Files.isDirectory(INSTALLED.resolve("node_modules/openai"))) {
            FileSystemUtils.deleteRecursively(INSTALLED);
            Files.createDirectories(INSTALLED);
            for (String file : List.of("package.json", "package-lock.json", "openai-client.mjs")) {
                Files.copy(SOURCES.resolve(file), INSTALLED.resolve(file));
            }
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(INSTALLED.toFile())
                    .redirectErrorStream(true).start();
            String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(npm.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(npm.exitValue()).as("npm ci:\n" + output).isZero();
        } else {
            Files.copy(SOURCES.resolve("openai-client.mjs"), INSTALLED.resolve("openai-client.mjs"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return INSTALLED;
    }

    private static List<DynamicTest> run(Path client, String baseUrl, String key, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "openai-client.mjs", baseUrl));
        if (key != null) {
            command.add(key);
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(client.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process node = builder.start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(node.exitValue()).as("openai-client.mjs:\n" + out).isZero();
        ObjectMapper json = new ObjectMapper();
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode result = json.readTree(line);
            String name = result.path("check").asText() + (key != null ? " (with API keys)" : "");
            tests.add(DynamicTest.dynamicTest(name, () -> assertThat(result.path("ok").asBoolean())
                    .as("%s: %s", name, result.path("detail")).isTrue()));
        }
        assertThat(tests).as("checks reported by openai-client.mjs:\n" + out).isNotEmpty();
        return tests;
    }

    private static boolean command(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
