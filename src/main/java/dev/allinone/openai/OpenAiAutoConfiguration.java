package dev.allinone.openai;

import dev.allinone.web.WebAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/** The OpenAI-compatible API under {@code /v1}, when {@code allinone.openai.enabled=true} (the service sets it). */
@AutoConfiguration(after = WebAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "allinone.openai", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(OpenAiProperties.class)
@Import(OpenAiController.class)
public class OpenAiAutoConfiguration {
}
