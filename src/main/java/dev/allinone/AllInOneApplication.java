package dev.allinone;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * The allinone service: one Qwen model on the CPU behind a REST API. Everything is auto-configuration (see
 * {@code META-INF/spring/...AutoConfiguration.imports}), the same beans another Spring Boot application gets
 * when it uses this project as a starter; {@code @AiService} interfaces under this package are found by
 * LangChain4j's scanner.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class AllInOneApplication {

    public static void main(String[] args) {
        SpringApplication.run(AllInOneApplication.class, args);
    }
}
