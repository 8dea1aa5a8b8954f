package dev.allinone.web;

import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.core.Ordered;
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
@Import({SentimentController.class, ChatController.class})
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
    ErrorResponses allinoneErrorResponses(ObjectMapper json, ApiProperties properties) {
        return new ErrorResponses(json, properties.retryAfter());
    }

    /** Errors of this API's controllers, and of requests under /v1 that reached none, in the API's rendering. */
    @Bean
    ApiErrorResolver allinoneApiErrorResolver(Problems problems, ErrorResponses responses,
                                              @Value("${allinone.openai.enabled:true}") boolean openAiEnabled) {
        return new ApiErrorResolver(problems, responses, openAiEnabled);
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
                                                                       Problems problems, ErrorResponses responses) {
        FilterRegistrationBean<ApiRequestFilter> registration =
                new FilterRegistrationBean<>(new ApiRequestFilter(properties, keys, problems, responses));
        registration.addUrlPatterns("/api/*", "/v1/*");
        return registration;
    }
}
