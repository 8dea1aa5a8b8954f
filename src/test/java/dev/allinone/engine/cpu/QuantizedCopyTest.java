package dev.allinone.engine.cpu;

import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Quantized weights are kept beside the checkpoint at the first start and reused, unless the checkpoint changed. */
class QuantizedCopyTest {

    @TempDir
    Path models;

    @Test
    void theSecondStartReadsTheKeptCopyAndComputesTheSame() throws IOException {
        Path dir = models.resolve("Qwen_Qwen1.5-0.5B-Chat");
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(TestModels.directory(TestModels.tiny()).path())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        int[] prompt = {9707, 11, 1879, 0, 105043, 3837};
        for (WeightFormat format : new WeightFormat[]{WeightFormat.Q4, WeightFormat.Q8, WeightFormat.Q4KM}) {
            QuantizedCopy copy = new QuantizedCopy(dir, format);
            assertThat(copy.read()).isNull();
            float[] first = logits(dir, format, prompt);
            assertThat(copy.file()).exists();
            assertThat(copy.file().getParent().getFileName().toString())
                    .isEqualTo("Qwen_Qwen1.5-0.5B-Chat-allinone-" + format.name().toLowerCase());
            assertThat(copy.read()).isNotNull().containsKey("model.layers.0.mlp.down_proj.weight");
            if (format == WeightFormat.Q4KM) { // a mix: attention's values and output projection at 8 bits
                assertThat(copy.read().get("model.layers.0.self_attn.v_proj.weight").format()).isEqualTo("Q8");
                assertThat(copy.read().get("model.layers.0.self_attn.o_proj.weight").format()).isEqualTo("Q8");
                assertThat(copy.read().get("model.layers.0.mlp.down_proj.weight").format()).isEqualTo("Q4K");
            }
            // The same weights (up to the JIT's order of summing lanes, which may change as it warms up).
            assertThat(logits(dir, format, prompt)).containsExactly(first, org.assertj.core.data.Offset.offset(1e-4f));
        }

        // The checkpoint changes: the copy no longer matches and is made again.
        Path weights = dir.resolve("model.safetensors");
        Files.setLastModifiedTime(weights, FileTime.fromMillis(Files.getLastModifiedTime(weights).toMillis() + 60_000));
        assertThat(new QuantizedCopy(dir, WeightFormat.Q4).read()).isNull();
        logits(dir, WeightFormat.Q4, prompt);
        assertThat(new QuantizedCopy(dir, WeightFormat.Q4).read()).isNotNull();
        try (Stream<Path> left = Files.list(dir.resolveSibling("Qwen_Qwen1.5-0.5B-Chat-allinone-q4"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("weights.bin"); // no partial files
        }
    }

    private static float[] logits(Path dir, WeightFormat format, int[] prompt) {
        try (CpuTransformer t = CpuTransformer.load(dir, 2, format); KvCache cache = t.newCache()) {
            return t.prefill(cache, 0, prompt);
        }
    }
}
