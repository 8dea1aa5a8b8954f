package dev.allinone.testing;

import dev.allinone.engine.LocalEngine;
import dev.allinone.model.HuggingFaceHub;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;
import dev.allinone.model.WeightFormat;

import java.time.Duration;

/** Real engines on the tiny generated checkpoint, for tests below the web layer. */
public final class TestEngines {

    private static LocalEngine shared;

    private TestEngines() {
    }

    /** One started engine for the whole test JVM (answers capped at 16 tokens by default). */
    public static synchronized LocalEngine shared() {
        if (shared == null) {
            shared = start(TestProperties.offline(TestModels.tiny(), WeightFormat.AS_IS, 16));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
        }
        return shared;
    }

    /** A new started engine; the caller stops it. */
    public static LocalEngine start(ModelProperties properties) {
        ModelStatus status = new ModelStatus();
        HuggingFaceHub hub = new HuggingFaceHub(properties.hubUrl(), properties.hubToken(), Duration.ofSeconds(5));
        LocalEngine engine = new LocalEngine(properties, new ModelResolver(properties, hub, status), status,
                Duration.ofSeconds(10));
        engine.start();
        return engine;
    }
}
