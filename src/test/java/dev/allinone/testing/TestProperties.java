package dev.allinone.testing;

import dev.allinone.engine.EngineProperties;
import dev.allinone.model.ModelProperties;
import org.springframework.util.unit.DataSize;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Settings for tests: the model offline, and the engine as shipped (our kernels, Q4) on two threads. */
public final class TestProperties {

    private TestProperties() {
    }

    public static ModelProperties offline(Path modelsDir) {
        return new ModelProperties(TestModels.MODEL_ID, "main", modelsDir, URI.create("http://127.0.0.1:9"), null, true,
                Duration.ofSeconds(10));
    }

    public static ModelProperties online(Path modelsDir, URI hub, String token) {
        return new ModelProperties(TestModels.MODEL_ID, "main", modelsDir, hub, token, false, Duration.ofSeconds(10));
    }

    /**
     * The engine's defaults (the kernels and weight format users run), on two threads, answers capped at 16 tokens,
     * no background warm-up.
     */
    public static EngineProperties engine() {
        return EngineProperties.defaults().withThreads(2).withMaxNewTokens(16).withWarmUp(false);
    }

    /** {@link #engine()} with a context limit and a cap on kept attention state of its own. */
    public static EngineProperties engine(int contextLimit, DataSize kvCacheBudget) {
        return engine().withContextLimit(contextLimit).withKvCacheBudget(kvCacheBudget);
    }
}
