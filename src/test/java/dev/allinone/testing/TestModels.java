package dev.allinone.testing;

import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.model.ModelDirectory;
import dev.allinone.model.synthetic.SyntheticCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Checkpoints the tests run the real engine on: random weights, the real Qwen1.5-0.5B-Chat config and
 * tokenizer, written once per build under {@code target/test-models}. No weights are in git.
 */
public final class TestModels {

    public static final String MODEL_ID = "Qwen/Qwen1.5-0.5B-Chat";

    private static HfTokenizer tokenizer;

    private TestModels() {
    }

    /** A models directory holding the tiny checkpoint as {@value #MODEL_ID}. */
    public static Path tiny() {
        return ensure("tiny", SyntheticCheckpoint.Size.TINY);
    }

    /** A models directory holding the small (one wide layer) checkpoint. */
    public static Path small() {
        return ensure("small", SyntheticCheckpoint.Size.SMALL);
    }

    /** The tokenizer of the tiny checkpoint (Qwen1.5's real one), shared by the whole test JVM. */
    public static synchronized HfTokenizer tokenizer() {
        if (tokenizer == null) {
            try {
                tokenizer = HfTokenizer.load(directory(tiny()).path());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokenizer;
    }

    /** The real shape (Qwen1.5-0.5B: 24 layers, 1024 wide, ~0.9 GB of BF16), for comparing kernels at full size. */
    public static Path full() {
        return ensure("full", SyntheticCheckpoint.Size.FULL);
    }

    public static ModelDirectory directory(Path modelsDir) {
        return ModelDirectory.of(modelsDir, MODEL_ID);
    }

    private static synchronized Path ensure(String name, SyntheticCheckpoint.Size size) {
        Path modelsDir = Path.of("target", "test-models", name).toAbsolutePath();
        ModelDirectory dir = directory(modelsDir);
        if (!dir.isComplete()) {
            try {
                SyntheticCheckpoint.write(dir.path(), size, 42);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return modelsDir;
    }
}
