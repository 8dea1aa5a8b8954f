package dev.allinone.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Redis server for the tests: the one {@code .ci/run} starts ({@code ALLINONE_TEST_REDIS_URL}), else one
 * started here from Debian's {@code redis-server} when it is installed (stopped when the JVM exits). Without
 * either the Redis tests are skipped, unless {@code ALLINONE_REQUIRE_REDIS} is set, as in CI: then they fail.
 */
public final class TestRedis {

    private static String url;

    private TestRedis() {
    }

    /** The server's URL ({@code redis://127.0.0.1:port}); skips or fails the test when there is none. */
    public static synchronized String url() {
        if (url == null) {
            url = System.getenv("ALLINONE_TEST_REDIS_URL");
            if (url == null || url.isBlank()) {
                url = startLocal();
            }
        }
        if (url == null) {
            boolean required = System.getenv("ALLINONE_REQUIRE_REDIS") != null;
            String why = "No Redis: set ALLINONE_TEST_REDIS_URL or install redis-server (.ci/run does)";
            if (required) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        return url;
    }

    private static String startLocal() {
        if (!Files.isExecutable(BINARY)) {
            return null;
        }
        try {
            int port = freePort();
            Process redis = start(port, Files.createTempDirectory("allinone-test-redis"));
            Runtime.getRuntime().addShutdownHook(new Thread(redis::destroy));
            return "redis://127.0.0.1:" + port;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Path BINARY = Path.of("/usr/bin/redis-server");

    /**
     * A Redis server of the caller's own on {@code port}, keeping its data in {@code dir} (so that one started
     * again there has it back); the caller stops it. Skips or fails the test when redis-server is not installed.
     */
    public static Process start(int port, Path dir) {
        if (!Files.isExecutable(BINARY)) {
            String why = "No redis-server to start (.ci/run installs it)";
            if (System.getenv("ALLINONE_REQUIRE_REDIS") != null) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        try {
            // As a production store is configured: every write appended and synced before it is acknowledged.
            Process redis = new ProcessBuilder(BINARY.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                    .start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return redis;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            redis.destroy();
            throw new IllegalStateException("redis-server did not start; see " + dir.resolve("redis.log")
                    + ": " + List.of(Files.readAllLines(dir.resolve("redis.log"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
