package dev.allinone.conversation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.nio.file.Path;

/**
 * The conversation store chosen by {@code allinone.conversations.store}: SQLite (default), Redis or memory. A
 * {@link ConversationRepository} bean of the application's own replaces it.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration")
@EnableConfigurationProperties(ConversationProperties.class)
public class ConversationAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ConversationAutoConfiguration.class);
    private static final String PREFIX = "allinone.conversations";

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(ConversationRepository.class)
    @ConditionalOnProperty(prefix = PREFIX, name = "store", havingValue = "sqlite", matchIfMissing = true)
    SqliteConversationRepository sqliteConversationRepository(ConversationProperties properties, Environment environment) {
        Path file = properties.sqliteFileOrDefault(environment.getProperty("spring.application.name"));
        log.info("Conversations are kept in the SQLite file {} (allinone.conversations.sqlite-file)", file);
        return new SqliteConversationRepository(file);
    }

    @Bean
    @ConditionalOnMissingBean(ConversationRepository.class)
    @ConditionalOnProperty(prefix = PREFIX, name = "store", havingValue = "memory")
    InMemoryConversationRepository inMemoryConversationRepository() {
        return new InMemoryConversationRepository();
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(StringRedisTemplate.class)
    static class Redis {
        @Bean
        @ConditionalOnMissingBean(ConversationRepository.class)
        @ConditionalOnProperty(prefix = PREFIX, name = "store", havingValue = "redis")
        RedisConversationRepository redisConversationRepository(RedisConnectionFactory redis,
                                                                ConversationProperties properties) {
            StringRedisTemplate template = new StringRedisTemplate(redis);
            return new RedisConversationRepository(template, properties.redisKeyPrefix(), properties.idleExpiry());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("org.springframework.data.redis.core.StringRedisTemplate")
    static class NoRedis {
        @Bean
        @ConditionalOnMissingBean(ConversationRepository.class)
        @ConditionalOnProperty(prefix = PREFIX, name = "store", havingValue = "redis")
        ConversationRepository redisConversationRepository() {
            throw new IllegalStateException("allinone.conversations.store=redis needs Spring Data Redis: add the"
                    + " dependency org.springframework.boot:spring-boot-starter-data-redis to the application");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    static class StoreHealth {
        @Bean("conversations")
        @ConditionalOnMissingBean(name = "conversations")
        @ConditionalOnEnabledHealthIndicator("conversations")
        ConversationStoreHealthIndicator conversationStoreHealthIndicator(ConversationRepository repository) {
            return new ConversationStoreHealthIndicator(repository);
        }
    }
}
