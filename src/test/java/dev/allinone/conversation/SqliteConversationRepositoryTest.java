package dev.allinone.conversation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteConversationRepositoryTest extends ConversationRepositoryContract {

    @TempDir
    Path dir;

    @Override
    ConversationRepository open() {
        return new SqliteConversationRepository(dir.resolve("data").resolve("conversations.db"));
    }

    @Test
    void whatIsSavedIsThereAfterReopeningTheFile() {
        ConversationRecord c = firstTurn("support-bot", T0);
        repository.save(c);
        repository.close();
        repository = open();
        assertThat(repository.find(c.id())).contains(c);
    }

    @Test
    void aDatabaseFromANewerVersionIsRefusedWithAClearMessage() throws Exception {
        Path file = dir.resolve("newer.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version=99");
        }
        assertThatThrownBy(() -> new SqliteConversationRepository(file))
                .hasMessageContaining("newer version of allinone").hasMessageContaining("schema 99");
    }

    @Test
    void writesAreDurableWriteAheadLogged() throws Exception {
        repository.save(firstTurn(null, T0));
        Path file = ((SqliteConversationRepository) repository).file();
        assertThat(Files.exists(file)).isTrue();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
        // synchronous is a setting of the connection, not of the file: asked on the repository's own connection.
        // FULL syncs the log at every commit, so a committed turn survives a power loss (a SIGKILL test keeps the
        // operating system's page cache, so it would pass with OFF too).
        assertThat(repository.durability()).isEqualTo("journal_mode=wal, synchronous=FULL");
    }
}
