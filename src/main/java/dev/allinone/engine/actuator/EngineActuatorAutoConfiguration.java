package dev.allinone.engine.actuator;

import dev.allinone.engine.EngineAutoConfiguration;
import dev.allinone.engine.LocalEngine;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine's meters, health (for the readiness probe) and info, when Actuator or Micrometer is there. */
@AutoConfiguration(after = EngineAutoConfiguration.class)
public class EngineActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Metrics {
        /** Also the engine's observer: the engine reports every request to it. */
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

        @Bean
        @ConditionalOnMissingBean
        BatchGauges batchGauges(LocalEngine engine) {
            return new BatchGauges(engine);
        }
    }

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
}
