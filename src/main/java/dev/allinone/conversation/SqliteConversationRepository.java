package dev.allinone.conversation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Conversations in an SQLite database file ({@code allinone.conversations.store=sqlite}, the default): no server,
 * survives restarts. One row per conversation, written by a single statement, so a crash leaves each row as
 * it was after some complete turn; the write-ahead log with {@code synchronous=FULL} makes every committed
 * turn durable before the reply goes out, even across a power cut. One connection serves the process: a turn
 * writes once, and SQLite admits one writer at a time anyway.
 */
public class SqliteConversationRepository implements ConversationRepository {

    private static final int SCHEMA_VERSION = 1;
    private static final String COLUMNS = "id, owner, created_at, updated_at, version, memory, history";

    private final Path file;
    private final Connection connection;
    private final String durability;

    public SqliteConversationRepository(Path file) {
        this.file = file.toAbsolutePath();
        try {
            Files.createDirectories(this.file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the directory for the conversation database " + this.file, e);
        }
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + this.file);
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=10000");
                int schema;
                try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                    schema = rs.next() ? rs.getInt(1) : 0;
                }
                if (schema > SCHEMA_VERSION) {
                    throw new IllegalStateException("The conversation database " + this.file + " was written by a newer"
                            + " version of allinone (schema " + schema + "); this one reads schema " + SCHEMA_VERSION);
                }
                s.execute("""
                        CREATE TABLE IF NOT EXISTS conversation (
                            id         TEXT PRIMARY KEY,
                            owner      TEXT,
                            created_at INTEGER NOT NULL,
                            updated_at INTEGER NOT NULL,
                            version    INTEGER NOT NULL,
                            memory     TEXT NOT NULL,
                            history    TEXT NOT NULL
                        )""");
                s.execute("CREATE INDEX IF NOT EXISTS conversation_updated_at ON conversation (updated_at)");
                s.execute("PRAGMA user_version=" + SCHEMA_VERSION);
                durability = durabilityOf(s);
            }
        } catch (SQLException e) {
            throw new ConversationStoreException("Cannot open the conversation database " + this.file + ": "
                    + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized Optional<ConversationRecord> find(String id) {
        try (PreparedStatement s = connection.prepareStatement("SELECT " + COLUMNS + " FROM conversation WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    @Override
    public synchronized boolean save(ConversationRecord c) {
        String sql = c.version() == 1
                ? "INSERT INTO conversation (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
                : "UPDATE conversation SET id = ?, owner = ?, created_at = ?, updated_at = ?, version = ?, memory = ?,"
                  + " history = ? WHERE id = ? AND version = ?";
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setString(1, c.id());
            s.setString(2, c.owner());
            s.setLong(3, c.createdAt().toEpochMilli());
            s.setLong(4, c.updatedAt().toEpochMilli());
            s.setLong(5, c.version());
            s.setString(6, ConversationJson.memory(c.memory()));
            s.setString(7, ConversationJson.history(c.history()));
            if (c.version() != 1) {
                s.setString(8, c.id());
                s.setLong(9, c.version() - 1);
            }
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("write", e);
        }
    }

    @Override
    public synchronized boolean delete(String id) {
        try (PreparedStatement s = connection.prepareStatement("DELETE FROM conversation WHERE id = ?")) {
            s.setString(1, id);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw failed("delete", e);
        }
    }

    @Override
    public synchronized List<String> deleteIdleSince(Instant cutoff) {
        return deleteReturningIds("DELETE FROM conversation WHERE updated_at < ? RETURNING id", cutoff.toEpochMilli());
    }

    @Override
    public synchronized List<String> deleteBeyond(long keep) {
        return deleteReturningIds("DELETE FROM conversation WHERE id IN (SELECT id FROM conversation"
                + " ORDER BY updated_at DESC LIMIT -1 OFFSET ?) RETURNING id", keep);
    }

    private List<String> deleteReturningIds(String sql, long parameter) {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setLong(1, parameter);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw failed("delete", e);
        }
    }

    @Override
    public synchronized long count() {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM conversation")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw failed("count", e);
        }
    }

    /**
     * How durable a committed turn is, as the database reported it in effect once the connection was set up (not
     * as configured): the write-ahead log and {@code synchronous=FULL}, so a committed turn survives a power loss,
     * not only a crash of the process. Both are settings of this one connection, which nothing changes later.
     */
    @Override
    public String durability() {
        return durability;
    }

    private static String durabilityOf(Statement s) throws SQLException {
        String journal;
        try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            journal = rs.next() ? rs.getString(1) : "?";
        }
        int synchronous;
        try (ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
            synchronous = rs.next() ? rs.getInt(1) : -1;
        }
        String level = switch (synchronous) {
            case 0 -> "OFF";
            case 1 -> "NORMAL";
            case 2 -> "FULL";
            case 3 -> "EXTRA";
            default -> String.valueOf(synchronous);
        };
        return "journal_mode=" + journal + ", synchronous=" + level;
    }

    @Override
    public synchronized void check() {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM conversation LIMIT 1")) {
            rs.next();
        } catch (SQLException e) {
            throw failed("read", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw failed("close", e);
        }
    }

    private static ConversationRecord read(ResultSet rs) throws SQLException {
        return new ConversationRecord(rs.getString("id"), rs.getString("owner"),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")),
                rs.getLong("version"), ConversationJson.memory(rs.getString("memory")),
                ConversationJson.history(rs.getString("history")));
    }

    private ConversationStoreException failed(String what, SQLException e) {
        return new ConversationStoreException("Cannot " + what + " conversations in " + file + ": " + e.getMessage(), e);
    }
}
