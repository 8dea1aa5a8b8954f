package dev.allinone.testing;

import dev.allinone.engine.EngineProperties;
import dev.allinone.model.ModelProperties;
import org.springframework.util.unit.DataSize;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     * no background warm-up; then {@code settings} ({@code name=value} under {@code allinone.engine}).
     */
    public static EngineProperties engine(String... settings) {
        List<String> all = new ArrayList<>(List.of("threads=2", "max-new-tokens=16", "warm-up=false"));
        all.addAll(List.of(settings));
        return bind(all.toArray(String[]::new));
    }

    /** {@link #engine} with a context limit and a cap on kept attention state of its own. */
    public static EngineProperties engine(int contextLimit, DataSize kvCacheBudget) {
        return engine("context-limit=" + contextLimit, "kv-cache-budget=" + kvCacheBudget.toBytes() + "B");
    }

    /**
     * {@code allinone.engine.*} bound from {@code name=value} settings as Spring Boot binds it for users (the
     * documented defaults for whatever is not set; a later setting of a name wins).
     */
    public static EngineProperties bind(String... settings) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            values.put("allinone.engine." + setting.substring(0, eq), setting.substring(eq + 1));
        }
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("allinone.engine", EngineProperties.class);
    }
}
