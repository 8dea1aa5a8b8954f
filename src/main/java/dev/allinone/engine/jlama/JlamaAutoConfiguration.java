package dev.allinone.engine.jlama;

import com.github.tjake.jlama.model.AbstractModel;
import dev.allinone.engine.EngineAutoConfiguration;
import dev.allinone.engine.EngineProperties;
import dev.allinone.engine.transformer.TransformerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Jlama's kernels, the reference ours are tested against, when {@code allinone.engine.kernels=jlama} and
 * jlama-core is on the classpath. Everything of Jlama lives in this package: an application that leaves
 * jlama-core (and jlama-native) out loses only this choice.
 */
@AutoConfiguration(before = EngineAutoConfiguration.class)
@ConditionalOnClass(AbstractModel.class)
@ConditionalOnProperty(name = "allinone.engine.kernels", havingValue = "jlama")
@EnableConfigurationProperties(EngineProperties.class)
public class JlamaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TransformerFactory jlamaTransformerFactory(EngineProperties properties) {
        return JlamaTransformer.factory(properties.weightFormat());
    }
}
