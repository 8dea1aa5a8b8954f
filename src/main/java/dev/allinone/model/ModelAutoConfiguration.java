package dev.allinone.model;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** Finding and downloading the model's files; how the engine holds its weights is the engine's. */
@AutoConfiguration
@EnableConfigurationProperties(ModelProperties.class)
public class ModelAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ModelStatus modelStatus() {
        return new ModelStatus();
    }

    @Bean
    @ConditionalOnMissingBean
    HuggingFaceHub huggingFaceHub(ModelProperties properties) {
        return new HuggingFaceHub(properties.hubUrl(), properties.hubToken(), properties.downloadTimeout());
    }

    @Bean
    @ConditionalOnMissingBean
    ModelResolver modelResolver(ModelProperties properties, HuggingFaceHub hub, ModelStatus status) {
        return new ModelResolver(properties, hub, status);
    }
}
