package dev.allinone.testing;

import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.EngineProperties;
import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.transformer.TransformerFactory;
import dev.allinone.engine.jlama.JlamaTransformer;
import dev.allinone.model.HuggingFaceHub;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;
import dev.allinone.engine.transformer.WeightFormat;

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
        return start(properties, new EngineProperties(16, Duration.ofSeconds(30)), JlamaTransformer::load);
    }

    /** A new started engine with its own admission settings and network; the caller stops it. */
    public static LocalEngine start(ModelProperties properties, EngineProperties engine, TransformerFactory transformers) {
        ModelStatus status = new ModelStatus();
        HuggingFaceHub hub = new HuggingFaceHub(properties.hubUrl(), properties.hubToken(), Duration.ofSeconds(5));
        LocalEngine started = new LocalEngine(properties, engine, new ModelResolver(properties, hub, status), status,
                transformers, EngineObserver.NONE, Duration.ofSeconds(10));
        started.start();
        return started;
    }
}
