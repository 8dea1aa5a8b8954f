package dev.allinone;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * The allinone service: one Qwen model on the CPU behind a REST API. Everything is auto-configuration (see
 * {@code META-INF/spring/...AutoConfiguration.imports}), the same beans another Spring Boot application gets
 * when it uses this project as a starter. What the service adds to it is in
 * {@code dev/allinone/allinone-application.yml} ({@link AllInOneApplicationDefaults}): every HTTP surface on.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class AllInOneApplication {

    public static void main(String[] args) {
        SpringApplication.run(AllInOneApplication.class, args);
    }

    /**
     * The service's OpenAPI description (/v3/api-docs, UI at /swagger-ui.html). The bearer scheme applies when
     * API keys are configured ({@code allinone.security.api-keys}); without keys it is not needed.
     */
    @Bean
    OpenAPI allinoneOpenApi() {
        return new OpenAPI().info(new Info().title("allinone").version("0.1")
                        .description("One small open LLM (Qwen1.5-0.5B-Chat) on the CPU: sentiment, a support companion, "
                                + "and an OpenAI-compatible API. Errors are RFC 9457 problem details. When API keys are "
                                + "configured every call needs one (Authorization: Bearer <key>)."))
                .components(new Components().addSecuritySchemes("apiKey", new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An API key, when keys are configured (also accepted as header X-API-Key)")))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"));
    }
}
