package dev.allinone.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client against the running app. */
public final class Http {

    /** A response with its body parsed as JSON (null when it is not JSON). */
    public record Response(int status, String contentType, String body, JsonNode json, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client;
    private final String base;
    private final int port;
    private java.util.Map<String, String> headers = java.util.Map.of();

    public Http(int port) {
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.base = "http://127.0.0.1:" + port;
        this.port = port;
    }

    public int port() {
        return port;
    }

    /** The same client, sending these headers with every request as well (an API key, say). */
    public Http withHeaders(java.util.Map<String, String> extra) {
        Http copy = new Http(client, base, port);
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.putAll(extra);
        copy.headers = java.util.Map.copyOf(all);
        return copy;
    }

    /** The same client, with {@code Authorization: Bearer key}. */
    public Http withApiKey(String key) {
        return withHeaders(java.util.Map.of("Authorization", "Bearer " + key));
    }

    private Http(HttpClient client, String base, int port) {
        this.client = client;
        this.base = base;
        this.port = port;
    }

    /** A client that connects from its own loopback address (127.0.0.x): another client, as the server sees it. */
    public Http(int port, String localAddress) {
        try {
            this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .localAddress(java.net.InetAddress.getByName(localAddress)).build();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        this.base = "http://127.0.0.1:" + port;
        this.port = port;
    }

    public Response post(String path, String body) {
        return post(path, body, "application/json");
    }

    /** POST JSON with extra headers. */
    public Response post(String path, String body, java.util.Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request);
    }

    public Response post(String path, String body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response postBytes(String path, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Response send(HttpRequest.Builder request) {
        headers.forEach(request::header);
        try {
            HttpResponse<String> r = client.send(request.timeout(Duration.ofMinutes(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            JsonNode json = null;
            if (type.contains("json") && !r.body().isEmpty()) {
                json = JSON.readTree(r.body());
            }
            return new Response(r.statusCode(), type, r.body(), json, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
