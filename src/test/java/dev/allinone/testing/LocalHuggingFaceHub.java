package dev.allinone.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A real HTTP server that serves a model directory the way huggingface.co does: the file list at
 * {@code /api/models/{repo}?blobs=true}, and each file at {@code /{repo}/resolve/{revision}/{file}} through a
 * 302 redirect to a "CDN" on another host name ({@code localhost} instead of {@code 127.0.0.1}), as the real
 * hub redirects large files.
 */
public final class LocalHuggingFaceHub implements AutoCloseable {

    /** A request as the server saw it. */
    public record Seen(String host, String path, String authorization) {
    }

    private final HttpServer server;
    private final String repo;
    private final Path modelDir;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile String requiredToken;
    private volatile long bytesPerSecond = Long.MAX_VALUE;
    private volatile String cutFile;
    private volatile long cutAfterBytes;
    private volatile long sizeLie;

    public LocalHuggingFaceHub(String repo, Path modelDir) throws IOException {
        this.repo = repo;
        this.modelDir = modelDir;
        this.server = HttpServer.create(new InetSocketAddress(0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    /** The hub's base URL, as configured in allinone.model.hub-url. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answer 401 unless requests to the hub carry {@code Bearer token}. */
    public LocalHuggingFaceHub requireToken(String token) {
        this.requiredToken = token;
        return this;
    }

    /** Serve file bodies at this rate. */
    public LocalHuggingFaceHub throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    /** Drop the connection after {@code bytes} of {@code file}. */
    public LocalHuggingFaceHub cut(String file, long bytes) {
        this.cutFile = file;
        this.cutAfterBytes = bytes;
        return this;
    }

    /** List every file as this many bytes bigger than it is. */
    public LocalHuggingFaceHub lieAboutSizes(long extra) {
        this.sizeLie = extra;
        return this;
    }

    public LocalHuggingFaceHub healthy() {
        this.cutFile = null;
        this.bytesPerSecond = Long.MAX_VALUE;
        this.sizeLie = 0;
        return this;
    }

    public List<Seen> seen() {
        return seen;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String host = exchange.getRequestHeaders().getFirst("Host");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        seen.add(new Seen(host, path, authorization));
        try (exchange) {
            if (path.startsWith("/blobs/")) {
                serveFile(exchange, path.substring("/blobs/".length()));
                return;
            }
            if (requiredToken != null && !("Bearer " + requiredToken).equals(authorization)) {
                send(exchange, 401, "{\"error\":\"Invalid credentials in Authorization header\"}");
                return;
            }
            if (path.equals("/api/models/" + repo)) {
                send(exchange, 200, listing());
                return;
            }
            String resolvePrefix = "/" + repo + "/resolve/main/";
            if (path.startsWith(resolvePrefix) && Files.isRegularFile(modelDir.resolve(path.substring(resolvePrefix.length())))) {
                int port = server.getAddress().getPort();
                exchange.getResponseHeaders().add("Location", "http://localhost:" + port + "/blobs/"
                        + path.substring(resolvePrefix.length()));
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            send(exchange, 404, "{\"error\":\"Repository Not Found\"}");
        }
    }

    private String listing() throws IOException {
        List<Map<String, Object>> siblings = new ArrayList<>();
        try (Stream<Path> files = Files.walk(modelDir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                Map<String, Object> sibling = new LinkedHashMap<>();
                sibling.put("rfilename", modelDir.relativize(f).toString().replace('\\', '/'));
                sibling.put("size", Files.size(f) + sizeLie);
                siblings.add(sibling);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", repo);
        body.put("sha", "0123456789abcdef0123456789abcdef01234567");
        body.put("siblings", siblings);
        return new ObjectMapper().writeValueAsString(body);
    }

    private void serveFile(HttpExchange exchange, String name) throws IOException {
        Path file = modelDir.resolve(name);
        long size = Files.size(file);
        exchange.sendResponseHeaders(200, size);
        long limit = name.equals(cutFile) ? cutAfterBytes : Long.MAX_VALUE;
        long sent = 0;
        long start = System.nanoTime();
        try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (sent + n > limit) {
                    out.write(buffer, 0, (int) (limit - sent));
                    out.flush();
                    throw new IOException("cut"); // the exchange closes without finishing the body
                }
                out.write(buffer, 0, n);
                sent += n;
                if (bytesPerSecond != Long.MAX_VALUE) {
                    long due = (long) (sent * 1e9 / bytesPerSecond);
                    long ahead = due - (System.nanoTime() - start);
                    if (ahead > 0) {
                        sleep(ahead / 1_000_000);
                    }
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
