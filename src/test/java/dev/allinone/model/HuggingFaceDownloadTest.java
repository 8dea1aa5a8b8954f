package dev.allinone.model;

import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.testing.LocalHuggingFaceHub;
import dev.allinone.testing.TestModels;
import dev.allinone.testing.TestProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Getting the model: from disk, or downloaded from a real HTTP server with Hugging Face's URL shapes. */
@ExtendWith(OutputCaptureExtension.class)
class HuggingFaceDownloadTest {

    private static final String REPO = TestModels.MODEL_ID;

    @TempDir
    Path modelsDir;
    private ModelDirectory source;
    private LocalHuggingFaceHub hub;

    @BeforeEach
    void serve() throws IOException {
        source = TestModels.directory(TestModels.tiny());
        hub = new LocalHuggingFaceHub(REPO, source.path());
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private ModelResolver resolver(String token) {
        ModelProperties p = TestProperties.online(modelsDir, hub.url(), token);
        return new ModelResolver(p, new HuggingFaceHub(p.hubUrl(), p.hubToken(), Duration.ofSeconds(10)), new ModelStatus());
    }

    @Test
    void downloadsEveryFileVerifiesAndMovesItIntoPlace(CapturedOutput output) throws IOException {
        ModelDirectory dir = resolver(null).resolve();

        assertThat(dir.path()).isEqualTo(modelsDir.resolve("Qwen_Qwen1.5-0.5B-Chat"));
        assertThat(dir.isComplete()).isTrue();
        try (Stream<Path> files = Files.list(source.path())) {
            for (Path f : files.toList()) {
                assertThat(dir.resolve(f.getFileName().toString())).hasSameBinaryContentAs(f);
            }
        }
        assertThat(leftovers()).isEmpty();
        assertThat(output).contains("Downloading Qwen/Qwen1.5-0.5B-Chat: 7 files")
                .containsPattern("Downloaded Qwen/Qwen1.5-0.5B-Chat: model.safetensors \\(18.8 MB, .* MB/s\\); .*% of 23.8 MB done")
                .contains("100.0% of 23.8 MB done");
        // Files came through the redirect to the "CDN" host.
        assertThat(hub.seen()).anyMatch(s -> s.path().equals("/blobs/model.safetensors") && s.host().startsWith("localhost"));

        // The second start uses the directory and asks the hub nothing.
        int requests = hub.seen().size();
        assertThat(resolver(null).resolve()).isEqualTo(dir);
        assertThat(hub.seen()).hasSize(requests);
    }

    @Test
    void theTokenGoesToTheHubButNeverToTheCdn() {
        hub.requireToken("hf_secret");
        resolver("hf_secret").resolve();
        List<LocalHuggingFaceHub.Seen> toHub = hub.seen().stream().filter(s -> !s.path().startsWith("/blobs/")).toList();
        List<LocalHuggingFaceHub.Seen> toCdn = hub.seen().stream().filter(s -> s.path().startsWith("/blobs/")).toList();
        assertThat(toHub).isNotEmpty().allMatch(s -> "Bearer hf_secret".equals(s.authorization()));
        assertThat(toCdn).isNotEmpty().allMatch(s -> s.authorization() == null);
    }

    @Test
    void aRefusedTokenSaysWhatToSet() {
        hub.requireToken("hf_secret");
        assertThatThrownBy(() -> resolver("wrong").resolve())
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("HTTP 401").hasMessageContaining("allinone.model.hub-token");
        assertThat(modelsDir.resolve("Qwen_Qwen1.5-0.5B-Chat")).doesNotExist();
    }

    @Test
    void anInterruptedDownloadNeverLeavesADirectoryThatLooksComplete() throws IOException {
        hub.cut("model.safetensors", 1_000_000);
        assertThatThrownBy(() -> resolver(null).resolve())
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("Downloading Qwen/Qwen1.5-0.5B-Chat")
                .hasMessageContaining(modelsDir.resolve("Qwen_Qwen1.5-0.5B-Chat").toString());
        assertThat(modelsDir.resolve("Qwen_Qwen1.5-0.5B-Chat")).doesNotExist();
        assertThat(leftovers()).isEmpty();

        hub.healthy();
        assertThat(resolver(null).resolve().isComplete()).isTrue();
    }

    @Test
    void aFileShorterThanListedIsAFailedDownload() {
        hub.lieAboutSizes(10);
        assertThatThrownBy(() -> resolver(null).resolve())
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("ended after");
        assertThat(modelsDir.resolve("Qwen_Qwen1.5-0.5B-Chat")).doesNotExist();
    }

    @Test
    void leftoversOfAKilledRunAreCleanedUp() throws IOException {
        Path killed = Files.createDirectories(modelsDir.resolve(".partial-Qwen_Qwen1.5-0.5B-Chat-1234"));
        Files.writeString(killed.resolve("config.json"), "{}");
        resolver(null).resolve();
        assertThat(killed).doesNotExist();
    }

    @Test
    void offlineWithoutTheModelNamesTheDirectoryAndHowToFillIt() {
        ModelProperties p = TestProperties.offline(modelsDir);
        ModelResolver offline = new ModelResolver(p, new HuggingFaceHub(hub.url(), null, Duration.ofSeconds(5)), new ModelStatus());
        assertThatThrownBy(offline::resolve)
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining(modelsDir.resolve("Qwen_Qwen1.5-0.5B-Chat").toString())
                .hasMessageContaining("offline")
                .satisfies(e -> assertThat(((ModelUnavailableException) e).action())
                        .contains("huggingface-cli download Qwen/Qwen1.5-0.5B-Chat")
                        .contains("allinone.model.offline=false")
                        .doesNotContain("exec:exec")); // a command of this repository means nothing in an application
        assertThat(hub.seen()).isEmpty();
    }

    @Test
    void anIncompleteDirectorySaysWhatIsMissing() throws IOException {
        Path dir = Files.createDirectories(modelsDir.resolve("Qwen_Qwen1.5-0.5B-Chat"));
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        assertThatThrownBy(() -> resolver(null).resolve())
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("incomplete")
                .hasMessageContaining("tokenizer.json")
                .hasMessageContaining("model.safetensors");
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(modelsDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".partial")).toList();
        }
    }
}
