package dev.allinone.conversation;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Conversations in Redis ({@code allinone.conversations.store=redis}), shared by every replica of the service: a
 * conversation started on one continues on another. Each conversation is a hash written whole by one script
 * (atomic in Redis) that also checks its version, so two replicas never overwrite each other's turn; Redis
 * expires it after the idle time, and a sorted set of ids by last update serves the cap and the count.
 * How durable a write is depends on the server's persistence ({@code appendonly yes}, {@code appendfsync
 * always} for no loss). While Redis is down, calls fail at once ({@link StoreCircuit}) and the API answers 503. Scripts touch keys by prefix: a single Redis server or a primary with replicas, not
 * Redis Cluster.
 */
public class RedisConversationRepository implements ConversationRepository {

    private static final RedisScript<Long> SAVE = RedisScript.of("""
            local current = redis.call('HGET', KEYS[1], 'version') or '0'
            if current ~= ARGV[2] then return 0 end
            redis.call('HSET', KEYS[1], 'owner', ARGV[4], 'created', ARGV[5], 'updated', ARGV[6], 'version', ARGV[3],
                'memory', ARGV[7], 'history', ARGV[8])
            redis.call('PEXPIRE', KEYS[1], ARGV[9])
            redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
            return 1""", Long.class);
    private static final RedisScript<Long> DELETE = RedisScript.of("""
            redis.call('ZREM', KEYS[2], ARGV[1])
            return redis.call('DEL', KEYS[1])""", Long.class);
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final RedisScript<List<String>> DELETE_IDLE = (RedisScript) RedisScript.of("""
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
            for _, id in ipairs(ids) do
                redis.call('DEL', ARGV[2] .. id)
                redis.call('ZREM', KEYS[1], id)
            end
            return ids""", List.class);
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final RedisScript<List<String>> DELETE_BEYOND = (RedisScript) RedisScript.of("""
            local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
            if excess <= 0 then return {} end
            local ids = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
            for _, id in ipairs(ids) do
                redis.call('DEL', ARGV[2] .. id)
                redis.call('ZREM', KEYS[1], id)
            end
            return ids""", List.class);

    /** After a failure, calls fail at once for this long, then Redis is tried again. */
    static final Duration FAIL_FAST_FOR = Duration.ofSeconds(3);

    private final StringRedisTemplate redis;
    private final String conversationPrefix;
    private final String index;
    private final Duration idleExpiry;
    private final StoreCircuit circuit = new StoreCircuit("Redis", FAIL_FAST_FOR);

    public RedisConversationRepository(StringRedisTemplate redis, String keyPrefix, Duration idleExpiry) {
        this.redis = redis;
        this.conversationPrefix = keyPrefix + "conversation:";
        this.index = keyPrefix + "conversations";
        this.idleExpiry = idleExpiry;
    }

    @Override
    public Optional<ConversationRecord> find(String id) {
        Map<Object, Object> fields = call(() -> redis.opsForHash().entries(conversationPrefix + id));
        if (fields == null || fields.isEmpty()) {
            return Optional.empty();
        }
        String owner = (String) fields.get("owner");
        return Optional.of(new ConversationRecord(id, owner == null || owner.isEmpty() ? null : owner,
                Instant.ofEpochMilli(Long.parseLong((String) fields.get("created"))),
                Instant.ofEpochMilli(Long.parseLong((String) fields.get("updated"))),
                Long.parseLong((String) fields.get("version")),
                ConversationJson.memory((String) fields.get("memory")),
                ConversationJson.history((String) fields.get("history"))));
    }

    @Override
    public boolean save(ConversationRecord c) {
        Long saved = call(() -> redis.execute(SAVE, List.of(conversationPrefix + c.id(), index), c.id(),
                String.valueOf(c.version() - 1), String.valueOf(c.version()), c.owner() == null ? "" : c.owner(),
                String.valueOf(c.createdAt().toEpochMilli()), String.valueOf(c.updatedAt().toEpochMilli()),
                ConversationJson.memory(c.memory()), ConversationJson.history(c.history()),
                String.valueOf(idleExpiry.toMillis())));
        return saved != null && saved == 1;
    }

    @Override
    public boolean delete(String id) {
        Long deleted = call(() -> redis.execute(DELETE, List.of(conversationPrefix + id, index), id));
        return deleted != null && deleted == 1;
    }

    @Override
    public List<String> deleteIdleSince(Instant cutoff) {
        return call(() -> redis.execute(DELETE_IDLE, List.of(index), String.valueOf(cutoff.toEpochMilli()),
                conversationPrefix));
    }

    @Override
    public List<String> deleteBeyond(long keep) {
        return call(() -> redis.execute(DELETE_BEYOND, List.of(index), String.valueOf(keep), conversationPrefix));
    }

    @Override
    public long count() {
        Long n = call(() -> redis.opsForZSet().zCard(index));
        return n == null ? 0 : n;
    }

    @Override
    public void check() {
        call(() -> redis.execute((org.springframework.data.redis.core.RedisCallback<String>) c -> c.ping()));
    }

    /**
     * Every call to Redis: through the circuit, which fails fast while Redis is down. How long one call may wait
     * is the Redis client's command timeout ({@code spring.data.redis.timeout}; the service sets 2 s, the
     * client's own default is 60 s).
     */
    private <T> T call(java.util.function.Supplier<T> operation) {
        return circuit.call(() -> {
            try {
                return operation.get();
            } catch (DataAccessException e) {
                throw new ConversationStoreException("Cannot reach the conversation store (Redis): "
                        + e.getMostSpecificCause().getMessage(), e);
            }
        });
    }
}
