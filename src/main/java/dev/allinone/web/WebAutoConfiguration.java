package dev.allinone.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.companion.CompanionAutoConfiguration;
import dev.allinone.engine.langchain4j.EngineChatModelAutoConfiguration;
import dev.allinone.security.ApiKeyProperties;
import dev.allinone.security.ApiKeys;
import dev.allinone.web.errors.ApiErrorResolver;
import dev.allinone.web.errors.ErrorDispatchFilter;
import dev.allinone.web.errors.ErrorResponses;
import dev.allinone.web.errors.Problems;
import dev.allinone.web.errors.TomcatErrorsCustomizer;
import dev.langchain4j.model.TokenCountEstimator;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * allinone's HTTP surfaces: the REST API under {@code /api} and its chat page ({@code allinone.api.enabled},
 * {@code allinone.web.chat-page}), and what they share with the OpenAI-compatible API under {@code /v1}
 * ({@code allinone.openai.enabled}, its own auto-configuration): API keys, request checks and the one error
 * pipeline. Nothing here unless a surface is turned on: an application that uses allinone as a library opts in
 * to each; the service turns them all on.
 */
@AutoConfiguration(after = {CompanionAutoConfiguration.class, dev.allinone.extraction.ExtractionAutoConfiguration.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional(WebAutoConfiguration.AnySurface.class)
@EnableConfigurationProperties({ApiProperties.class, WebProperties.class, ApiKeyProperties.class})
public class WebAutoConfiguration {

    /** Either API turned on. */
    static class AnySurface extends AnyNestedCondition {
        AnySurface() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnProperty(prefix = "allinone.api", name = "enabled", havingValue = "true")
        static class RestApi {
        }

        @ConditionalOnProperty(prefix = "allinone.openai", name = "enabled", havingValue = "true")
        static class OpenAiApi {
        }
    }

    /** The REST API and its chat page. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "allinone.api", name = "enabled", havingValue = "true")
    @Import({SentimentController.class, ExtractionController.class, ChatController.class})
    static class RestApi {

        @Bean
        InputLimits allinoneInputLimits(@Qualifier(EngineChatModelAutoConfiguration.TOKEN_COUNT_ESTIMATOR) TokenCountEstimator tokens,
                                        ApiProperties properties) {
            return new InputLimits(tokens, properties);
        }

        /**
         * The chat page, under /allinone/ (and at / when asked). Its files are not in a location Spring Boot serves on
         * its own, so a host application shows nothing unless it turns the page on. A redirect rather than a forward:
         * the page loads its script and style, and calls the API, by relative URLs, so it also works under a servlet
         * context path.
         */
        @Bean
        @ConditionalOnProperty(prefix = "allinone.web", name = "chat-page", havingValue = "true")
        WebMvcConfigurer allinoneChatPage(WebProperties properties) {
            return new WebMvcConfigurer() {
                @Override
                public void addViewControllers(ViewControllerRegistry registry) {
                    if (properties.chatPageAtRoot()) {
                        registry.addRedirectViewController("/", "/allinone/index.html");
                    }
                }

                @Override
                public void addResourceHandlers(ResourceHandlerRegistry registry) {
                    registry.addResourceHandler("/allinone/**").addResourceLocations("classpath:/dev/allinone/chat-page/");
                }
            };
        }
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
    ErrorResponses allinoneErrorResponses(ObjectMapper json, ApiProperties properties,
                                          @Value("${allinone.openai.enabled:false}") boolean openAiEnabled) {
        return new ErrorResponses(json, properties.retryAfter(), properties.enabled(), openAiEnabled);
    }

    /** Errors of this API's controllers, and of requests under /v1 that reached none, in the API's rendering. */
    @Bean
    ApiErrorResolver allinoneApiErrorResolver(Problems problems, ErrorResponses responses) {
        return new ApiErrorResolver(problems, responses);
    }

    /** Errors that reach the error page from this API's paths (Tomcat's, while reading a body). */
    @Bean
    FilterRegistrationBean<ErrorDispatchFilter> allinoneErrorDispatchFilter(ErrorResponses responses,
                                                                           @Value("${server.error.path:/error}") String errorPath) {
        FilterRegistrationBean<ErrorDispatchFilter> registration = new FilterRegistrationBean<>(new ErrorDispatchFilter(responses));
        registration.setDispatcherTypes(DispatcherType.ERROR);
        registration.addUrlPatterns(errorPath);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** Errors Tomcat answers itself, on this API's paths, as JSON rather than Tomcat's HTML page. */
    @Bean
    @ConditionalOnClass(name = "org.apache.catalina.valves.ErrorReportValve")
    TomcatErrorsCustomizer allinoneTomcatErrors(ErrorResponses responses,
                                                @Value("${allinone.openai.allow-encoded-slash:false}") boolean allowEncodedSlash) {
        return new TomcatErrorsCustomizer(responses, allowEncodedSlash);
    }

    /**
     * In the service, API keys also decide who sees the Actuator's details (with {@code
     * management.endpoint.health.show-details: when-authorized}, as the service sets it). Off in an application
     * that uses this library: who is authorised there is that application's business (its own security).
     */
    @Bean
    @ConditionalOnProperty(prefix = "allinone.security", name = "actuator-details-for-keys", havingValue = "true")
    FilterRegistrationBean<ActuatorAccessFilter> allinoneActuatorAccessFilter(ApiKeys keys,
            @Value("${management.endpoints.web.base-path:/actuator}") String actuatorPath) {
        FilterRegistrationBean<ActuatorAccessFilter> registration = new FilterRegistrationBean<>(new ActuatorAccessFilter(keys));
        registration.addUrlPatterns(actuatorPath + "/*");
        return registration;
    }

    @Bean
    FilterRegistrationBean<ApiRequestFilter> allinoneApiRequestFilter(ApiProperties properties, ApiKeys keys,
            Problems problems, ErrorResponses responses, @Value("${allinone.openai.enabled:false}") boolean openAiEnabled) {
        FilterRegistrationBean<ApiRequestFilter> registration =
                new FilterRegistrationBean<>(new ApiRequestFilter(properties, keys, problems, responses));
        // Only the surfaces that are on: a host application's own /api or /v1 stays its own.
        if (properties.enabled()) {
            registration.addUrlPatterns("/api/*");
        }
        if (openAiEnabled) {
            registration.addUrlPatterns("/v1/*");
        }
        return registration;
    }
}
