package dev.allinone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.testing.Http;
import dev.allinone.testing.ServiceProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The service started exactly as the README starts it, {@code ./mvnw spring-boot:run} or {@code java ... -jar}, and
 * measured over HTTP the way clients use it: cold start, sentiment calls (a different review every call; with the
 * engine's own time for the same call from the {@code Server-Timing} header, so that what the path around the
 * model costs is a ratio measured in one run), a streamed chat answer (time to first token, decode rate), a
 * companion conversation of ten turns, four concurrent clients, and the memory the process holds.
 */
final class ServiceBench {

    /** How the README starts the service. */
    enum Launcher {
        MVNW("./mvnw spring-boot:run"), JAR("java -jar"),
        /** The jar extracted, with a class-data archive made by a first start (the README's faster start). */
        CDS("java -jar, extracted + CDS");

        final String label;

        Launcher(String label) {
            this.label = label;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** The README's flags for the jar (pom.xml's service.jvm.args, which spring-boot:run passes). */
    static final List<String> README_JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-Xmx1g");

    private ServiceBench() {
    }

    static JsonNode run(Launcher launcher, Path modelsDir, int runs) throws Exception {
        int port = ServiceProcess.freePort();
        List<String> arguments = List.of("--server.port=" + port, "--allinone.model.models-dir=" + modelsDir,
                "--allinone.model.offline=true", "--allinone.conversations.store=memory",
                "--allinone.engine.max-new-tokens=64", "--logging.level.root=warn");
        List<String> command = new ArrayList<>();
        if (launcher == Launcher.MVNW) {
            command.addAll(List.of("./mvnw", "-q", "spring-boot:run", "-Dmaven.main.skip=true", "-Dmaven.test.skip=true",
                    "-Dspring-boot.run.arguments=" + String.join(" ", arguments)));
        } else if (launcher == Launcher.JAR) {
            command.add(java());
            command.addAll(README_JVM_FLAGS);
            command.addAll(List.of("-jar", jar().toString()));
            command.addAll(arguments);
        } else {
            Path extracted = extracted();
            command.add(java());
            command.addAll(README_JVM_FLAGS);
            command.addAll(List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + extracted.resolve("allinone.jsa"),
                    "-jar", extracted.resolve(jar().getFileName()).toString()));
            command.addAll(arguments);
            // The first start makes the archive (written when the JVM exits); the second is the one measured.
            try (ServiceProcess training = ServiceProcess.start(command, port)) {
                training.awaitReady(Duration.ofMinutes(5));
            }
        }
        System.out.println("Running the service with " + launcher.label + " on port " + port);
        long start = System.nanoTime();
        try (ServiceProcess service = ServiceProcess.start(command, port)) {
            service.awaitReady(Duration.ofMinutes(5));
            double coldStart = (System.nanoTime() - start) / 1e9;
            Http http = service.http();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("launcher", launcher.label);
            result.put("coldStartSeconds", coldStart);
            // The kernels' timed check runs in the background just after the model loaded.
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!http.get("/actuator/info").json().at("/engine/vectorKernels/compiled").isBoolean()
                    && System.nanoTime() < until) {
                Thread.sleep(200);
            }
            result.put("engine", http.get("/actuator/info").json().get("engine"));
            for (int i = 0; i < 10; i++) {
                http.post("/api/sentiment", Http.json(Map.of("text", BenchTexts.review("EN", i + 1000))));
            }
            Map<String, Object> sentiment = new LinkedHashMap<>();
            for (String language : List.of("EN", "ZH")) {
                sentiment.put(language, sentiment(http, language, Math.max(20, 10 * runs)));
            }
            result.put("sentiment", sentiment);
            result.put("chat", chat(port, runs));
            result.put("companion", companion(port));
            result.put("load", load(http, runs));
            result.put("streams", streams(port, http, runs));
            Process process = service.process();
            long pid = launcher == Launcher.JAR ? process.pid() : serviceJvm(process).orElse(process.pid());
            long[] rss = Stats.rssMegabytes(pid);
            result.put("rssMb", rss[0]);
            result.put("peakRssMb", rss[1]);
            return JSON.valueToTree(result);
        }
    }

    /**
     * Weight formats side by side: one service per format, each started with {@code java -jar} and the README's
     * flags ({@code -Xmx1g}), all running at once and measured in turns, one request at a time, so that each
     * round's ratios to the first format are measured in the same moment (this machine's speed drifts 2x within
     * minutes). Per round and format: prefill (a new ~300-token message on {@code /v1} with one answer token:
     * prompt tokens over the engine's own time, from Server-Timing), decode (a streamed 64-token chat answer as
     * the client sees it) and the sentiment call's engine time (median of three). Also the weights' heap, the
     * format's quality report ({@code /actuator/info}) and the peak RSS.
     */
    static Map<String, List<JsonNode>> formats(Path modelsDir, List<String> formats, int rounds) throws Exception {
        Map<String, ServiceProcess> services = new LinkedHashMap<>();
        Map<String, List<JsonNode>> results = new LinkedHashMap<>();
        try {
            for (String format : formats) {
                int port = ServiceProcess.freePort();
                List<String> command = new ArrayList<>();
                command.add(java());
                command.addAll(README_JVM_FLAGS);
                command.addAll(List.of("-jar", jar().toString(), "--server.port=" + port,
                        "--allinone.model.models-dir=" + modelsDir, "--allinone.model.offline=true",
                        "--allinone.conversations.store=memory", "--allinone.engine.max-new-tokens=64",
                        "--logging.level.root=warn", "--allinone.engine.weight-format=" + format));
                System.out.println("Starting the service with weight format " + format + " on port " + port);
                ServiceProcess service = ServiceProcess.start(command, port);
                services.put(format, service);
                service.awaitReady(Duration.ofMinutes(10)); // a first start quantizes and measures the format
                Http http = service.http();
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!http.get("/actuator/info").json().at("/engine/vectorKernels/compiled").isBoolean()
                        && System.nanoTime() < until) {
                    Thread.sleep(200);
                }
                for (int i = 0; i < 10; i++) {
                    http.post("/api/sentiment", Http.json(Map.of("text", BenchTexts.review("EN", i + 1000))));
                }
                prefill(http, 0);
                results.put(format, new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (String format : formats) {
                    ServiceProcess service = services.get(format);
                    Http http = service.http();
                    List<Double> sentiment = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        Http.Response r = http.post("/api/sentiment", Http.json(Map.of("text",
                                BenchTexts.review("EN", 3 * round + i))));
                        sentiment.add(serverTiming(r.header("Server-Timing"), "model"));
                    }
                    Turn chat = streamTurn(service.port(), null, BenchTexts.chatPrompt(round + 100));
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("prefill", prefill(http, round + 1));
                    result.put("decode", (chat.outputTokens() - 1) / ((chat.doneMs() - chat.firstDeltaMs()) / 1000));
                    result.put("sentimentModelMs", Stats.median(sentiment));
                    results.get(format).add(JSON.valueToTree(result));
                }
            }
            for (String format : formats) {
                ServiceProcess service = services.get(format);
                JsonNode engine = service.http().get("/actuator/info").json().get("engine");
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("weightsMb", engine.at("/memory/weightsBytes").asLong() / 1_000_000);
                summary.put("quality", engine.get("weightsQuality"));
                summary.put("peakRssMb", Stats.rssMegabytes(service.process().pid())[1]);
                results.get(format).addFirst(JSON.valueToTree(summary));
            }
            return results;
        } finally {
            services.values().forEach(ServiceProcess::close);
        }
    }

    /** Prefill tok/s of a new ~300-token message ({@code n} makes it new) on /v1, one answer token. */
    private static double prefill(Http http, int n) {
        String message = BenchTexts.chatPrompt(3 * n + 500) + "\n" + BenchTexts.chatPrompt(3 * n + 501) + "\n"
                + BenchTexts.chatPrompt(3 * n + 502);
        Http.Response r = http.post("/v1/chat/completions", Http.json(Map.of("model", "allinone", "max_tokens", 1,
                "messages", List.of(Map.of("role", "user", "content", message)))));
        if (r.status() != 200) {
            throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
        }
        return r.json().at("/usage/prompt_tokens").asDouble() / (serverTiming(r.header("Server-Timing"), "model") / 1000);
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The jar extracted as Spring Boot recommends for class-data sharing, afresh under target/. */
    private static Path extracted() throws Exception {
        Path dir = Path.of("target", "bench-app").toAbsolutePath();
        org.springframework.util.FileSystemUtils.deleteRecursively(dir);
        Process extract = new ProcessBuilder(java(), "-Djarmode=tools", "-jar", jar().toString(), "extract",
                "--destination", dir.toString()).inheritIO().start();
        if (extract.waitFor() != 0) {
            throw new IllegalStateException("Could not extract " + jar());
        }
        return dir;
    }

    private static Path jar() throws IOException {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("allinone-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No target/allinone-*-exec.jar: run the benchmark as "
                            + "./mvnw -q -DskipTests package exec:exec@benchmark"));
        }
    }

    /** The JVM that spring-boot:run forked. */
    private static Optional<Long> serviceJvm(Process maven) {
        return maven.descendants().map(ProcessHandle::pid).filter(pid -> {
            try {
                return Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline")).contains("AllInOneApplication");
            } catch (IOException notLinux) {
                return false;
            }
        }).findFirst();
    }

    /**
     * Sentiment calls, each with a new review: the whole path as the client sees it, and the engine's own time
     * (prefill and scoring, from Server-Timing) for the same call.
     */
    private static Map<String, Object> sentiment(Http http, String language, int calls) {
        List<Double> whole = new ArrayList<>();
        List<Double> model = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            Http.Response r = http.post("/api/sentiment", Http.json(Map.of("text", BenchTexts.review(language, i))));
            double ms = (System.nanoTime() - start) / 1e6;
            if (r.status() != 200) {
                throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
            }
            double engine = serverTiming(r.header("Server-Timing"), "model");
            whole.add(ms);
            model.add(engine);
            ratios.add(ms / engine);
        }
        return Map.of("median", Stats.median(whole), "p95", Stats.p95(whole), "modelMedian", Stats.median(model),
                "ratioMedian", Stats.median(ratios), "calls", calls);
    }

    private static double serverTiming(String header, String name) {
        if (header == null) {
            return Double.NaN;
        }
        for (String metric : header.split(",")) {
            String[] parts = metric.trim().split(";");
            if (parts[0].equals(name)) {
                for (String p : parts) {
                    if (p.startsWith("dur=")) {
                        return Double.parseDouble(p.substring(4));
                    }
                }
            }
        }
        return Double.NaN;
    }

    /** A streamed support turn: times of its events (ms after the request), and its usage. */
    private record Turn(String conversationId, double firstDeltaMs, double doneMs, int outputTokens) {
    }

    private static Turn streamTurn(int port, String conversationId, String message) throws Exception {
        Map<String, Object> body = new HashMap<>(Map.of("message", message));
        if (conversationId != null) {
            body.put("conversationId", conversationId);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/chat/stream"))
                .header("Content-Type", "application/json").header("Request-Timeout", "300")
                .POST(HttpRequest.BodyPublishers.ofString(Http.json(body))).build();
        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        String id = conversationId;
        double first = -1;
        String event = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    JsonNode data = JSON.readTree(line.substring(6));
                    double at = (System.nanoTime() - start) / 1e6;
                    switch (String.valueOf(event)) {
                        case "sentiment" -> id = data.get("conversationId").asText();
                        case "delta" -> first = first < 0 ? at : first;
                        case "done" -> {
                            return new Turn(id, first, at, data.at("/usage/outputTokens").asInt());
                        }
                        case "error" -> throw new IllegalStateException("Stream error: " + data);
                        default -> { }
                    }
                }
            }
        }
        throw new IllegalStateException("The stream ended without done");
    }

    /** A ~100-token support message, new every time; 64 generated tokens. */
    private static Map<String, Object> chat(int port, int runs) throws Exception {
        List<Double> ttft = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        for (int i = 0; i < runs + 1; i++) {
            Turn t = streamTurn(port, null, BenchTexts.chatPrompt(i + 100));
            if (i >= 1) {
                ttft.add(t.firstDeltaMs());
                decode.add((t.outputTokens() - 1) / ((t.doneMs() - t.firstDeltaMs()) / 1000));
            }
        }
        return Map.of("ttftMedian", Stats.median(ttft), "ttftP95", Stats.p95(ttft), "decodeMedian", Stats.median(decode),
                "decodeP5", Stats.percentile(decode, 5));
    }

    /** Two conversations of ten turns: time to the first token of the answer (after the sentiment), per turn. */
    private static Map<String, Object> companion(int port) throws Exception {
        Map<Integer, List<Double>> byTurn = new LinkedHashMap<>();
        for (int c = 0; c < 2; c++) {
            String id = null;
            for (int turn = 1; turn <= BenchTexts.CONVERSATION.size(); turn++) {
                Turn t = streamTurn(port, id, "(" + c + ") " + BenchTexts.CONVERSATION.get(turn - 1));
                id = t.conversationId();
                byTurn.computeIfAbsent(turn, k -> new ArrayList<>()).add(t.firstDeltaMs());
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (int turn : List.of(1, 5, 10)) {
            result.put("turn" + turn, Stats.median(byTurn.get(turn)));
        }
        return result;
    }

    /** Four clients at once, half sentiment, half chat turns in new conversations (64-token answers). */
    private static Map<String, Object> load(Http http, int runs) throws Exception {
        int perClient = Math.max(4, runs);
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(4);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            done.add(clients.submit(() -> {
                for (int i = 0; i < perClient; i++) {
                    int n = client * 1000 + i;
                    long t = System.nanoTime();
                    Http.Response r = n % 2 == 0
                            ? http.post("/api/sentiment", Http.json(Map.of("text", BenchTexts.review("EN", n + 5000))))
                            : http.post("/api/chat", Http.json(Map.of("message", BenchTexts.CONVERSATION.get(n % 10))));
                    if (r.status() != 200) {
                        throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
                    }
                    latencies.add((System.nanoTime() - t) / 1e6);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        clients.shutdown();
        return Map.of("requestsPerSecond", latencies.size() / seconds, "latencyMedian", Stats.median(latencies),
                "latencyP95", Stats.p95(latencies));
    }

    /** One streamed /v1 answer: when its first text came, when it ended, and its tokens. */
    private record Stream(double firstMs, double doneMs, int outputTokens) {

        double decodeRate() {
            return (outputTokens - 1) / ((doneMs - firstMs) / 1000);
        }
    }

    /** A short support question (~25 tokens with the template), streamed through /v1, {@value #STREAM_TOKENS} tokens. */
    private static Stream streamV1(int port, String question, int maxTokens) throws Exception {
        String body = Http.json(Map.of("model", "allinone", "stream", true, "max_tokens", maxTokens,
                "stream_options", Map.of("include_usage", true),
                "messages", List.of(Map.of("role", "user", "content", question))));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Request-Timeout", "300")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        double first = -1;
        int tokens = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                String data = line.substring(6);
                double at = (System.nanoTime() - start) / 1e6;
                if (data.equals("[DONE]")) {
                    return new Stream(first, at, tokens);
                }
                JsonNode chunk = JSON.readTree(data);
                if (chunk.has("error")) {
                    throw new IllegalStateException("Stream error: " + chunk);
                }
                if (first < 0 && !chunk.at("/choices/0/delta/content").asText("").isEmpty()) {
                    first = at;
                }
                if (chunk.hasNonNull("usage")) {
                    tokens = chunk.at("/usage/completion_tokens").asInt();
                }
            }
        }
        throw new IllegalStateException("The stream ended without [DONE]");
    }

    static final int STREAM_TOKENS = 128;

    /** {@code count} streams started together; their results in order. */
    private static List<Stream> together(int port, int count, int round, int maxTokens) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(count);
        try {
            List<Future<Stream>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String question = "(" + round + "." + i + ") " + BenchTexts.CONVERSATION.get((round + i) % 10);
                futures.add(clients.submit(() -> streamV1(port, question, maxTokens)));
            }
            List<Stream> streams = new ArrayList<>();
            for (Future<Stream> f : futures) {
                streams.add(f.get());
            }
            return streams;
        } finally {
            clients.shutdown();
        }
    }

    /**
     * Continuous batching: 1, 2, 4 and 8 streamed answers started together (aggregate and per-stream decode rate,
     * time to each first token and to the last of them), and sentiment latency while 4 answers stream.
     */
    private static Map<String, Object> streams(int port, Http http, int runs) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        together(port, 2, 999, 16); // the path warmed once
        for (int count : List.of(1, 2, 4, 8)) {
            List<Double> aggregate = new ArrayList<>(), perStream = new ArrayList<>(), ttft = new ArrayList<>();
            List<Double> lastFirst = new ArrayList<>();
            for (int round = 0; round < Math.max(2, runs); round++) {
                List<Stream> streams = together(port, count, round, STREAM_TOKENS);
                double sum = 0, latest = 0;
                for (Stream st : streams) {
                    sum += st.decodeRate();
                    perStream.add(st.decodeRate());
                    ttft.add(st.firstMs());
                    latest = Math.max(latest, st.firstMs());
                }
                aggregate.add(sum);
                lastFirst.add(latest);
            }
            result.put(String.valueOf(count), Map.of("aggregateDecode", Stats.median(aggregate),
                    "perStreamDecode", Stats.median(perStream), "ttftMedian", Stats.median(ttft), "ttftP95", Stats.p95(ttft),
                    "lastFirstTokenMedian", Stats.median(lastFirst)));
        }
        // Sentiment alone, then while four long answers stream.
        List<Double> idle = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long t = System.nanoTime();
            http.post("/api/sentiment", Http.json(Map.of("text", BenchTexts.review("EN", 7000 + i))));
            idle.add((System.nanoTime() - t) / 1e6);
        }
        List<Double> busy = new ArrayList<>();
        for (int round = 0; round < 1; round++) {
            ExecutorService background = Executors.newSingleThreadExecutor();
            int r = round;
            Future<List<Stream>> chats = background.submit(() -> together(port, 4, 500 + r, 300));
            Thread.sleep(1500); // all four answering
            while (!chats.isDone()) {
                long t = System.nanoTime();
                http.post("/api/sentiment", Http.json(Map.of("text", BenchTexts.review("EN", 8000 + busy.size()))));
                if (!chats.isDone()) {
                    busy.add((System.nanoTime() - t) / 1e6);
                }
            }
            chats.get();
            background.shutdown();
        }
        result.put("sentimentIdleMedian", Stats.median(idle));
        result.put("sentimentBusyMedian", Stats.median(busy));
        result.put("sentimentBusyCalls", busy.size());
        return result;
    }

    static String ms(JsonNode value) {
        return String.format(Locale.ROOT, "%.0f", value.asDouble());
    }
}
