package dev.allinone.engine;

import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.api.EngineSetupException;
import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.quality.ChoiceCheck;
import dev.allinone.engine.quality.QualityGuard;
import dev.allinone.engine.transformer.TransformerFactory;
import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.model.ModelAutoConfiguration;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import java.util.List;
import java.util.stream.Collectors;


/**
 * The one model: a {@link LocalEngine} on the kernels {@code allinone.engine.kernels} names. Our own kernels are
 * here; Jlama's come from {@code engine.jlama}'s auto-configuration when jlama-core is on the classpath. The
 * LangChain4j models over the engine are {@code engine.langchain4j}'s, its health and meters
 * {@code engine.actuator}'s. A host application can replace any of these beans.
 */
@AutoConfiguration(after = ModelAutoConfiguration.class)
@EnableConfigurationProperties(EngineProperties.class)
public class EngineAutoConfiguration {

    /** The kernels {@code allinone.engine.kernels} names, when no other auto-configuration supplied them. */
    @Bean
    @ConditionalOnMissingBean
    TransformerFactory transformerFactory(EngineProperties properties, ObjectProvider<ChoiceCheck.Source> checks) {
        if (properties.kernels() == Kernels.JLAMA) {
            throw new EngineSetupException("allinone.engine.kernels=jlama needs Jlama's classes, and jlama-core is not on"
                    + " the classpath.", "Add com.github.tjake:jlama-core (0.8.4) to the application, or set"
                    + " allinone.engine.kernels=allinone (the default).");
        }
        return QualityGuard.kernels(properties.weightFormat(), properties.quality().report(),
                properties.quality().maxLogitError(), () -> checks.orderedStream().map(ChoiceCheck.Source::check).toList());
    }

    /**
     * An old setting would otherwise be ignored without a word, and the engine would run with a default the user
     * did not choose: stop and say where it went.
     */
    static void refuseMovedSettings(Environment environment) {
        List<String> moved = MOVED_SETTINGS.stream()
                .filter(name -> environment.containsProperty("allinone.model." + name)).toList();
        if (!moved.isEmpty()) {
            throw new EngineSetupException("These settings moved from allinone.model.* to allinone.engine.*: "
                    + String.join(", ", moved) + ".", "Rename them to " + moved.stream()
                    .map(name -> "allinone.engine." + name).collect(Collectors.joining(", "))
                    + " (weight-format as-is is now bf16).");
        }
    }

    /** This project's kernels ({@code engine.cpu}) holding the weights in {@code format}. */
    public static TransformerFactory ownKernels(WeightFormat format) {
        return (dir, threads) -> CpuTransformer.load(dir, threads, format);
    }

    /** The engine's settings that lived under {@code allinone.model.*} before they moved here. */
    static final List<String> MOVED_SETTINGS = List.of("weight-format", "kernels", "threads", "context-limit",
            "max-new-tokens", "kv-cache-budget");

    @Bean
    @ConditionalOnMissingBean
    LocalEngine localEngine(ModelProperties model, EngineProperties properties, ModelResolver resolver,
                            ModelStatus status, TransformerFactory transformers, ObjectProvider<EngineObserver> observers,
                            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") String shutdownGrace,
                            Environment environment) {
        refuseMovedSettings(environment);
        LocalEngine.requireVectorApi();
        return new LocalEngine(model, properties, resolver, status, transformers,
                observers.getIfAvailable(() -> EngineObserver.NONE), DurationStyle.detectAndParse(shutdownGrace));
    }
}
