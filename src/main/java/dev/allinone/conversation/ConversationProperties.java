package dev.allinone.conversation;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where conversations are kept and for how long ({@code allinone.conversations.*}).
 *
 * @param store            {@code sqlite} (a file, the default), {@code redis} (shared by replicas) or {@code memory}
 *                         (this process only)
 * @param sqliteFile       the SQLite database file; when not set, one per application:
 *                         {@code ~/.allinone/<spring.application.name>/conversations.db}, or
 *                         {@code ./.allinone/conversations.db} in the working directory when the application has no
 *                         name (the allinone service sets {@code ~/.allinone/conversations.db})
 * @param redisKeyPrefix   prefix of every Redis key the store writes (the server is {@code spring.data.redis.*})
 * @param maxConversations conversations kept; past it the least recently used are deleted
 * @param idleExpiry       a conversation without a turn for this long is deleted
 * @param historyLimit     messages of a conversation kept for GET /api/conversations/{id}
 */
@Validated
@ConfigurationProperties("allinone.conversations")
public record ConversationProperties(
        @DefaultValue("sqlite") @NotNull Store store,
        Path sqliteFile,
        @DefaultValue("allinone:") @NotBlank String redisKeyPrefix,
        @DefaultValue("10000") @Min(1) long maxConversations,
        @DefaultValue("24h") @NotNull Duration idleExpiry,
        @DefaultValue("200") @Min(1) int historyLimit) {

    public enum Store { SQLITE, REDIS, MEMORY }

    /**
     * The SQLite file: the one set, else the application's own, so that two applications of one user never mix
     * their customers' conversations.
     */
    public Path sqliteFileOrDefault(String applicationName) {
        if (sqliteFile != null && !sqliteFile.toString().isBlank()) {
            return sqliteFile;
        }
        if (applicationName != null && applicationName.matches("[\\w.-]+")) {
            return Path.of(System.getProperty("user.home"), ".allinone", applicationName, "conversations.db");
        }
        return Path.of(".allinone", "conversations.db").toAbsolutePath();
    }
}
