package dev.allinone.web;

import dev.allinone.companion.CompanionAutoConfiguration;
import dev.allinone.security.ApiKeyProperties;
import dev.allinone.security.ApiKeys;
import dev.langchain4j.model.TokenCountEstimator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The REST API under {@code /api}; {@code allinone.api.enabled=false} leaves it out. */
@AutoConfiguration(after = CompanionAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "allinone.api", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties({ApiProperties.class, WebProperties.class, ApiKeyProperties.class})
@Import({SentimentController.class, ChatController.class, ApiExceptionHandler.class})
public class WebAutoConfiguration {

    @Bean
    InputLimits allinoneInputLimits(TokenCountEstimator tokens, ApiProperties properties) {
        return new InputLimits(tokens, properties);
    }

    /**
     * The chat page (static, under /allinone/) at the root. A redirect rather than a forward: the page loads its
     * script and style, and calls the API, by relative URLs, so it also works under a servlet context path.
     */
    @Bean
    @ConditionalOnProperty(prefix = "allinone.web", name = "chat-page", havingValue = "true")
    WebMvcConfigurer allinoneChatPage() {
        return new WebMvcConfigurer() {
            @Override
            public void addViewControllers(ViewControllerRegistry registry) {
                registry.addRedirectViewController("/", "/allinone/index.html");
            }
        };
    }

    @Bean
    Problems allinoneProblems(ObjectProvider<MeterRegistry> meters) {
        return new Problems(meters);
    }

    /** The API keys ({@code allinone.security.api-keys}); replace the bean to check keys elsewhere. */
    @Bean
    @ConditionalOnMissingBean
    ApiKeys allinoneApiKeys(ApiKeyProperties properties) {
        return new ApiKeys(properties);
    }

    @Bean
    FilterRegistrationBean<ApiRequestFilter> allinoneApiRequestFilter(ApiProperties properties, ApiKeys keys,
                                                                       Problems problems, ObjectMapper json) {
        FilterRegistrationBean<ApiRequestFilter> registration =
                new FilterRegistrationBean<>(new ApiRequestFilter(properties, keys, problems, json));
        registration.addUrlPatterns("/api/*", "/v1/*");
        return registration;
    }
}
