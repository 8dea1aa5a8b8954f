package dev.allinone.conversation;

import dev.allinone.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Against a real Redis server (see {@link TestRedis}); each test under a key prefix of its own. */
class RedisConversationRepositoryTest extends ConversationRepositoryContract {

    private LettuceConnectionFactory connections;
    private StringRedisTemplate redis;
    private String prefix;

    @Override
    ConversationRepository open() {
        URI url = URI.create(TestRedis.url());
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(url.getHost(), url.getPort()));
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
        prefix = "test-" + UUID.randomUUID() + ":";
        return new RedisConversationRepository(redis, prefix, Duration.ofHours(1)) {
            @Override
            public void close() {
                connections.destroy();
            }
        };
    }

    @Test
    void redisExpiresAnIdleConversationByItself() {
        ConversationRepository shortLived = new RedisConversationRepository(redis, prefix, Duration.ofMinutes(5));
        ConversationRecord c = firstTurn(null, T0);
        shortLived.save(c);
        Long ttl = redis.getExpire(prefix + "conversation:" + c.id());
        assertThat(ttl).isBetween(250L, 300L);
    }
}
