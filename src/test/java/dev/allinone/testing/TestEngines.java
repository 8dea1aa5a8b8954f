package dev.allinone.testing;

import dev.allinone.engine.EngineAutoConfiguration;
import dev.allinone.engine.EngineProperties;
import dev.allinone.engine.Kernels;
import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.jlama.JlamaTransformer;
import dev.allinone.engine.transformer.TransformerFactory;
import dev.allinone.model.HuggingFaceHub;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;

import java.time.Duration;

/** Real engines on the tiny generated checkpoint, on the kernels and weight format users run, for tests below the web layer. */
public final class TestEngines {

    private static LocalEngine shared;

    private TestEngines() {
    }

    /** One started engine for the whole test JVM (answers capped at 16 tokens by default). */
    public static synchronized LocalEngine shared() {
        if (shared == null) {
            shared = start(TestProperties.offline(TestModels.tiny()), TestProperties.engine());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
        }
        return shared;
    }

    /** A new started engine with these settings, on the kernels they name; the caller stops it. */
    public static LocalEngine start(ModelProperties model, EngineProperties engine) {
        return start(model, engine, transformers(engine));
    }

    /** A new started engine on {@code transformers}; the caller stops it. */
    public static LocalEngine start(ModelProperties model, EngineProperties engine, TransformerFactory transformers) {
        ModelStatus status = new ModelStatus();
        HuggingFaceHub hub = new HuggingFaceHub(model.hubUrl(), model.hubToken(), Duration.ofSeconds(5));
        LocalEngine started = new LocalEngine(model, engine, new ModelResolver(model, hub, status), status,
                transformers, EngineObserver.NONE, Duration.ofSeconds(10));
        started.start();
        return started;
    }

    /** What {@code allinone.engine.kernels} and {@code weight-format} select, as the auto-configurations do. */
    public static TransformerFactory transformers(EngineProperties engine) {
        return engine.kernels() == Kernels.JLAMA ? JlamaTransformer.factory(engine.weightFormat())
                : EngineAutoConfiguration.ownKernels(engine.weightFormat());
    }
}
