package dev.allinone.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A real Server-Sent Events client: reads named events with JSON data, and can hang up mid-stream. */
public final class Sse {

    public record Event(String name, JsonNode data) {
    }

    /** The stream's status, content type, and events until the end or until {@code stopAfter} says so. */
    public record Stream(int status, String contentType, List<Event> events, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Sse() {
    }

    public static Stream post(int port, String path, String json, Predicate<List<Event>> stopAfter) {
        return post(port, path, json, null, stopAfter);
    }

    public static Stream post(int port, String path, String json, String timeout, Predicate<List<Event>> stopAfter) {
        return post(port, path, json, timeout, null, stopAfter);
    }

    /** From a given local (loopback) address: another client, as the server sees it. */
    public static Stream post(int port, String path, String json, String timeout, String localAddress,
                              Predicate<List<Event>> stopAfter) {
        HttpClient client = CLIENT;
        if (localAddress != null) {
            try {
                client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                        .localAddress(java.net.InetAddress.getByName(localAddress)).build();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofString(json));
        if (timeout != null) {
            request.header("Request-Timeout", timeout);
        }
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String type = response.headers().firstValue("Content-Type").orElse("");
            List<Event> events = new ArrayList<>();
            try (InputStream in = response.body();
                 BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                if (!type.startsWith("text/event-stream")) {
                    return new Stream(response.statusCode(), type, events, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                String name = "message";
                StringBuilder data = new StringBuilder();
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5));
                    } else if (line.isEmpty() && !data.isEmpty()) {
                        events.add(new Event(name, JSON.readTree(data.toString())));
                        name = "message";
                        data.setLength(0);
                        if (stopAfter.test(events)) {
                            break; // closing the stream hangs up on the server
                        }
                    }
                }
            }
            return new Stream(response.statusCode(), type, events, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Predicate<List<Event>> untilEnd() {
        return events -> false;
    }
}
