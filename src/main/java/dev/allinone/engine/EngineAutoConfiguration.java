package dev.allinone.engine;

import dev.allinone.engine.actuator.EngineInfoContributor;
import dev.allinone.engine.actuator.EngineMetrics;
import dev.allinone.engine.actuator.KvCacheMetrics;
import dev.allinone.engine.actuator.ModelHealthIndicator;
import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.engine.langchain4j.EngineStreamingChatModel;
import dev.allinone.engine.langchain4j.EngineTokenCountEstimator;
import dev.allinone.engine.transformer.TransformerFactory;

import dev.allinone.model.ModelAutoConfiguration;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.jlama.JlamaTransformer;
import dev.allinone.engine.Kernels;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;

/**
 * The one model: a {@link LocalEngine} and the LangChain4j chat models over it. The host application can
 * replace any of these beans; {@code @AiService} interfaces that name {@link #CHAT_MODEL} then get the
 * replacement.
 */
@AutoConfiguration(after = ModelAutoConfiguration.class)
@EnableConfigurationProperties(EngineProperties.class)
public class EngineAutoConfiguration {

    /** Name of the shared {@link ChatModel} bean, for {@code @AiService(chatModel = ...)}. */
    public static final String CHAT_MODEL = "allinoneChatModel";
    /** Name of the shared {@link StreamingChatModel} bean. */
    public static final String STREAMING_CHAT_MODEL = "allinoneStreamingChatModel";

    /** The kernels chosen by {@code allinone.model.kernels}: allinone's own (default) or Jlama's. */
    @Bean
    @ConditionalOnMissingBean
    TransformerFactory transformerFactory(ModelProperties properties) {
        return transformers(properties);
    }

    /** What {@code allinone.model.kernels} and {@code weight-format} select. */
    public static TransformerFactory transformers(ModelProperties properties) {
        if (properties.kernels() == Kernels.JLAMA) {
            return JlamaTransformer::load;
        }
        String format = switch (properties.weightFormat()) {
            case AS_IS -> "bf16";
            case Q8 -> "q8";
            case Q4 -> "q4";
        };
        return (dir, threads) -> CpuTransformer.load(dir, threads, format);
    }

    @Bean
    @ConditionalOnMissingBean
    LocalEngine localEngine(ModelProperties properties, EngineProperties engineProperties, ModelResolver resolver,
                            ModelStatus status, TransformerFactory transformers, ObjectProvider<EngineObserver> observers,
                            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration shutdownGrace) {
        LocalEngine.requireVectorApi();
        return new LocalEngine(properties, engineProperties, resolver, status, transformers,
                observers.getIfAvailable(() -> EngineObserver.NONE), shutdownGrace);
    }

    @Bean(CHAT_MODEL)
    @ConditionalOnMissingBean(ChatModel.class)
    EngineChatModel allinoneChatModel(LocalEngine engine, ObjectProvider<ChatModelListener> listeners) {
        return new EngineChatModel(engine, listeners.orderedStream().toList());
    }

    @Bean(STREAMING_CHAT_MODEL)
    @ConditionalOnMissingBean(StreamingChatModel.class)
    EngineStreamingChatModel allinoneStreamingChatModel(LocalEngine engine, ObjectProvider<ChatModelListener> listeners) {
        return new EngineStreamingChatModel(engine, listeners.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean(TokenCountEstimator.class)
    EngineTokenCountEstimator engineTokenCountEstimator(LocalEngine engine) {
        return new EngineTokenCountEstimator(engine);
    }

    /** Meters, when Micrometer is there (Spring Boot Actuator brings it). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        EngineMetrics engineMetrics() {
            return new EngineMetrics();
        }

        @Bean
        @ConditionalOnMissingBean
        KvCacheMetrics kvCacheMetrics(LocalEngine engine) {
            return new KvCacheMetrics(engine);
        }
    }

    /** The model's health, for the readiness probe, when Actuator is there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class ModelHealth {
        @Bean("model")
        @ConditionalOnMissingBean(name = "model")
        ModelHealthIndicator modelHealthIndicator(LocalEngine engine) {
            return new ModelHealthIndicator(engine);
        }

        @Bean
        @ConditionalOnMissingBean
        EngineInfoContributor engineInfoContributor(LocalEngine engine) {
            return new EngineInfoContributor(engine);
        }
    }

    /**
     * When the host application brings its own chat model under another name, the name our AI services are
     * wired to points at it.
     */
    @Bean
    static BeanFactoryPostProcessor allinoneChatModelAliases() {
        return beanFactory -> {
            alias(beanFactory, ChatModel.class, CHAT_MODEL);
            alias(beanFactory, StreamingChatModel.class, STREAMING_CHAT_MODEL);
        };
    }

    private static void alias(ConfigurableListableBeanFactory beanFactory, Class<?> type, String name) {
        if (beanFactory.containsBean(name)) {
            return;
        }
        String[] candidates = beanFactory.getBeanNamesForType(type, true, false);
        if (candidates.length == 1) {
            beanFactory.registerAlias(candidates[0], name);
        }
    }
}
