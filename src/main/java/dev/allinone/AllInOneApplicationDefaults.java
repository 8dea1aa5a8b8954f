package dev.allinone;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Adds the allinone service's built-in settings ({@code dev/allinone/allinone-application.yml}: graceful
 * shutdown, health groups, the chat page, ...) when {@link AllInOneApplication} is what runs, with the lowest
 * precedence. Not an {@code application.yml} on purpose: an application that uses allinone as a library keeps
 * its own settings and gets none of these.
 */
class AllInOneApplicationDefaults implements EnvironmentPostProcessor {

    static final String RESOURCE = "dev/allinone/allinone-application.yml";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!application.getAllSources().contains(AllInOneApplication.class)) {
            return;
        }
        try {
            for (PropertySource<?> source : new YamlPropertySourceLoader().load("allinone-application",
                    new ClassPathResource(RESOURCE))) {
                environment.getPropertySources().addLast(source);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + RESOURCE, e);
        }
        if (!"redis".equals(environment.getProperty("allinone.conversations.store", "sqlite"))) {
            // Spring Data Redis is on the service's class path for store=redis; otherwise its client (Lettuce,
            // Netty) would be set up for nothing, about 1.5 s of every start.
            environment.getPropertySources().addLast(new MapPropertySource("allinone-without-redis", Map.of(
                    "spring.autoconfigure.exclude", String.join(",", REDIS_AUTO_CONFIGURATIONS))));
        }
    }

    private static final List<String> REDIS_AUTO_CONFIGURATIONS = List.of(
            "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
            "org.springframework.boot.autoconfigure.data.redis.RedisReactiveAutoConfiguration",
            "org.springframework.boot.autoconfigure.data.redis.RedisRepositoriesAutoConfiguration");
}
