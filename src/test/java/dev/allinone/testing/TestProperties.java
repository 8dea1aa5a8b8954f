package dev.allinone.testing;

import dev.allinone.model.ModelProperties;
import dev.allinone.engine.transformer.WeightFormat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/** {@link ModelProperties} for tests: offline, two threads, the defaults otherwise. */
public final class TestProperties {

    private TestProperties() {
    }

    public static ModelProperties offline(Path modelsDir, WeightFormat format, int maxNewTokens) {
        return new ModelProperties(TestModels.MODEL_ID, "main", modelsDir, URI.create("http://127.0.0.1:9"), null, true,
                Duration.ofSeconds(10), format, 2, 4096, maxNewTokens, DataSize.ofMegabytes(256), dev.allinone.engine.Kernels.JLAMA);
    }

    /** Like {@link #offline}, with a context limit and a KV reuse budget of its own. */
    public static ModelProperties offline(Path modelsDir, int contextLimit, DataSize kvCacheBudget) {
        return new ModelProperties(TestModels.MODEL_ID, "main", modelsDir, URI.create("http://127.0.0.1:9"), null, true,
                Duration.ofSeconds(10), WeightFormat.AS_IS, 2, contextLimit, 16, kvCacheBudget, dev.allinone.engine.Kernels.JLAMA);
    }

    public static ModelProperties online(Path modelsDir, URI hub, String token) {
        return new ModelProperties(TestModels.MODEL_ID, "main", modelsDir, hub, token, false,
                Duration.ofSeconds(10), WeightFormat.AS_IS, 2, 4096, 16, DataSize.ofMegabytes(256), dev.allinone.engine.Kernels.JLAMA);
    }
}
