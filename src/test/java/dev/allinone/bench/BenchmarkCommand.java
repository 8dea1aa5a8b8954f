package dev.allinone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.AllInOneApplication;
import dev.allinone.model.HuggingFaceHub;
import dev.allinone.model.ModelDirectory;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;
import dev.allinone.model.WeightFormat;
import dev.allinone.model.synthetic.SyntheticCheckpoint;
import dev.allinone.testing.Http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./mvnw -q test-compile exec:exec@benchmark [-Dbench.args="--runs=7 --formats=as-is,q4"]}
 *
 * <p>On a full-size synthetic checkpoint (random weights of Qwen1.5-0.5B's real shape: speed does not depend on
 * the values), in one run: our engine and stock langchain4j-jlama {@code JlamaChatModel} on the same weights,
 * each scenario in a JVM of its own; then the service itself for cold start, memory and 4 concurrent HTTP
 * clients. Prints a Markdown table and writes it to {@code bench-results/}.
 */
public final class BenchmarkCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_ID = "Qwen/Qwen1.5-0.5B-Chat";
    /** Tokens per Companion answer: a typical support reply (random weights never stop early). */
    private static final int COMPANION_ANSWER_TOKENS = 48;
    /**
     * The heap cap the service runs with: pom.xml's service.jvm.args (-Xmx1g) for the quantized formats; the
     * BF16 weights alone take 0.9 GB of heap, so as-is gets 2 GB (as the README says to run it).
     */
    private static String serviceHeap(WeightFormat format) {
        return format == WeightFormat.AS_IS ? "-Xmx2g" : "-Xmx1g";
    }
    private static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-Djlama.max_batch_size=5");

    private BenchmarkCommand() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 7;
        List<WeightFormat> formats = List.of(WeightFormat.AS_IS, WeightFormat.Q4);
        // Stock Jlama has no Q8 (it crashes): with --formats=q8 it is measured for ours only.
        boolean stock = true;
        Path modelsDir = Path.of("target", "bench-models").toAbsolutePath();
        Path out = Path.of("bench-results");
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
            if (arg.startsWith("--runs=")) {
                runs = Integer.parseInt(value);
            } else if (arg.startsWith("--formats=")) {
                formats = java.util.Arrays.stream(value.split(",")).map(f -> WeightFormat.valueOf(
                        f.trim().toUpperCase(Locale.ROOT).replace('-', '_'))).toList();
            } else if (arg.equals("--no-stock")) {
                stock = false;
            } else if (arg.startsWith("--models-dir=")) {
                modelsDir = Path.of(value).toAbsolutePath();
            } else if (!arg.isBlank()) {
                throw new IllegalArgumentException("Unknown option " + arg + " (--runs=N --formats=as-is,q4 --no-stock --models-dir=DIR)");
            }
        }

        Map<WeightFormat, Path> dirs = prepareModels(modelsDir, formats);
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (WeightFormat format : formats) {
            String f = label(format);
            results.put("ours " + f, child(OursScenarios.class, modelsDir.toString(), format.name(), String.valueOf(runs),
                    String.valueOf(COMPANION_ANSWER_TOKENS)));
            if (stock) {
                results.put("stock " + f, child(StockScenarios.class, modelsDir.toString(),
                        MODEL_ID + (format == WeightFormat.Q4 ? "-Q4" : ""), String.valueOf(runs),
                        String.valueOf(COMPANION_ANSWER_TOKENS)));
            }
            results.put("service " + f, service(modelsDir, format, runs));
        }

        String table = table(results, formats, stock, runs, dirs);
        System.out.println(table);
        Files.createDirectories(out);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Files.writeString(out.resolve("benchmark-" + stamp + ".md"), table);
        Files.writeString(out.resolve("latest.md"), table);
        Files.writeString(out.resolve("benchmark-" + stamp + ".json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        System.out.println("Written to " + out.toAbsolutePath().resolve("benchmark-" + stamp + ".md"));
    }

    /** The full-size synthetic checkpoint and its Q4 copy, made once; stock finds them as already downloaded. */
    private static Map<WeightFormat, Path> prepareModels(Path modelsDir, List<WeightFormat> formats) throws IOException {
        ModelDirectory base = ModelDirectory.of(modelsDir, MODEL_ID);
        if (!base.isComplete()) {
            System.out.println("Writing a full-size synthetic checkpoint to " + base + " ...");
            SyntheticCheckpoint.write(base.path(), SyntheticCheckpoint.Size.FULL, 42);
        }
        Map<WeightFormat, Path> dirs = new LinkedHashMap<>();
        for (WeightFormat format : formats) {
            ModelProperties p = new ModelProperties(MODEL_ID, "main", modelsDir, URI.create("http://127.0.0.1:9"), null, true,
                    Duration.ofSeconds(5), format, 0, 4096, 256, org.springframework.util.unit.DataSize.ofMegabytes(256), dev.allinone.model.Kernels.JLAMA);
            ModelDirectory dir = new ModelResolver(p, new HuggingFaceHub(p.hubUrl(), null, Duration.ofSeconds(5)),
                    new ModelStatus()).resolve();
            // Jlama's own downloader treats a directory with this marker as complete.
            Path marker = dir.resolve(".finished");
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
            dirs.put(format, dir.path());
        }
        return dirs;
    }

    private static String label(WeightFormat format) {
        return format == WeightFormat.Q4 ? "Q4" : "BF16";
    }

    /** Runs a scenario class in a fresh JVM; returns its RESULT, with the time it took to print READY. */
    private static JsonNode child(Class<?> main, String... args) throws Exception {
        List<String> command = javaCommand(main.getName());
        command.addAll(List.of(args));
        System.out.println("Running " + main.getSimpleName() + " " + String.join(" ", args));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        double readySeconds = -1;
        String result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals("READY")) {
                    readySeconds = (System.nanoTime() - start) / 1e9;
                } else if (line.startsWith("RESULT ")) {
                    result = line.substring("RESULT ".length());
                } else if (line.contains("ERROR") || line.contains("Exception")) {
                    System.out.println("  | " + line);
                }
            }
        }
        if (process.waitFor() != 0 || result == null) {
            throw new IllegalStateException(main.getSimpleName() + " failed (exit " + process.exitValue() + ")");
        }
        com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(result);
        node.put("readySeconds", readySeconds);
        return node;
    }

    private static List<String> javaCommand(String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        return command;
    }

    /** The service as users run it: cold start, 4 concurrent HTTP clients, memory afterwards. */
    private static JsonNode service(Path modelsDir, WeightFormat format, int runs) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = javaCommand(AllInOneApplication.class.getName());
        command.add(command.size() - 3, serviceHeap(format)); // as ./mvnw spring-boot:run and the README run it
        command.addAll(List.of("--server.port=" + port, "--allinone.model.models-dir=" + modelsDir,
                // The default (SQLite) conversation store, kept beside the benchmark's models, not in ~/.allinone.
                "--allinone.conversations.sqlite-file=" + modelsDir.resolve("bench-conversations.db"),
                "--allinone.model.weight-format=" + format.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                "--allinone.model.offline=true", "--allinone.model.max-new-tokens=32", "--logging.level.root=warn"));
        System.out.println("Running the service (" + label(format) + ") on port " + port);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Http http = new Http(port);
            double coldStart = -1;
            while (coldStart < 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The service exited with " + process.exitValue());
                }
                try {
                    if (http.get("/actuator/health/readiness").status() == 200) {
                        coldStart = (System.nanoTime() - start) / 1e9;
                    }
                } catch (RuntimeException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
            for (int i = 0; i < 4; i++) {
                request(http, i);
            }
            int perClient = Math.max(4, runs);
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            ExecutorService clients = Executors.newFixedThreadPool(4);
            long loadStart = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        long t = System.nanoTime();
                        request(http, client * 1000 + i);
                        latencies.add((System.nanoTime() - t) / 1e6);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - loadStart) / 1e9;
            clients.shutdown();
            long[] rss = Stats.rssMegabytes(process.pid());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("coldStartSeconds", coldStart);
            result.put("requests", latencies.size());
            result.put("requestsPerSecond", latencies.size() / seconds);
            result.put("latencyMedian", Stats.median(latencies));
            result.put("latencyP95", Stats.p95(latencies));
            result.put("rssMb", rss[0]);
            result.put("peakRssMb", rss[1]);
            return JSON.valueToTree(result);
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Half sentiment (short reviews), half chat turns in new conversations (32-token answers). */
    private static void request(Http http, int i) {
        Http.Response r = i % 2 == 0
                ? http.post("/api/sentiment", Http.json(Map.of("text", BenchTexts.REVIEWS.get(i % 4 < 2 ? 0 : 2).text())))
                : http.post("/api/chat", Http.json(Map.of("message", BenchTexts.CONVERSATION.get(i % BenchTexts.CONVERSATION.size()))));
        if (r.status() != 200) {
            throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
        }
    }

    private static String table(Map<String, JsonNode> results, List<WeightFormat> formats, boolean stock, int runs,
                                Map<WeightFormat, Path> dirs) {
        List<String> columns = new ArrayList<>();
        for (WeightFormat f : formats) {
            columns.add("ours " + label(f));
            if (stock) {
                columns.add("stock " + label(f));
            }
        }
        StringBuilder t = new StringBuilder();
        t.append("### Benchmark ").append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .append("\n\n");
        t.append(machine()).append("\n\n");
        t.append("Full-size synthetic Qwen1.5-0.5B-Chat checkpoint (random weights; speed does not depend on their "
                + "values). `ours` = this project's engine on its own kernels (`allinone.model.kernels=allinone`; Q4 and "
                + "Q8 quantized while loading), `stock` = langchain4j-jlama `JlamaChatModel` 1.11.0-beta19 "
                + "on the same weights with `-Djlama.max_batch_size=5` (its correct configuration). Medians (p95) of "
                + runs + " runs; times in ms.\n\n");
        t.append("| Scenario |");
        columns.forEach(c -> t.append(' ').append(c).append(" |"));
        t.append("\n|---|");
        columns.forEach(c -> t.append("---|"));
        t.append('\n');
        for (BenchTexts.Review review : BenchTexts.REVIEWS) {
            row(t, "Sentiment, review " + review.name() + " (prompt tokens)", columns, results, r -> {
                JsonNode s = r.path("sentiment").path(review.name());
                return ms(s.path("median")) + " (" + ms(s.path("p95")) + ") [" + s.path("tokens").asInt() + "]";
            });
        }
        row(t, "Chat, ~100-token prompt: time to first token", columns, results, r ->
                ms(r.path("chat").path("ttftMedian")) + " (" + ms(r.path("chat").path("ttftP95")) + ")");
        row(t, "Chat: decode tok/s (5th percentile)", columns, results, r ->
                String.format(Locale.ROOT, "%.1f (%.1f)", r.path("chat").path("decodeMedian").asDouble(),
                        r.path("chat").path("decodeP95").asDouble()));
        for (int turn : List.of(1, 5, 10)) {
            row(t, "Companion TTFT, turn " + turn + (turn == 1 ? "" : "") + " [tokens computed]", columns, results, r -> {
                JsonNode c = r.path("companion").path("turn" + turn);
                return ms(c.path("ttftMedian")) + (c.has("computedTokens") ? " [" + c.path("computedTokens").asInt() + "]" : "");
            });
        }
        row(t, "Scenario JVM: load → ready (s)", columns, results, r -> String.format(Locale.ROOT, "%.1f", r.path("readySeconds").asDouble()));
        row(t, "Scenario JVM: RSS after the scenarios (MB)", columns, results, r -> r.path("rssMb").asText());
        t.append("\nThe service (`AllInOneApplication`, answers capped at 32 tokens), per weight format:\n\n");
        t.append("| Service | ");
        formats.forEach(f -> t.append(label(f)).append(" | "));
        t.append("\n|---|");
        formats.forEach(f -> t.append("---|"));
        t.append('\n');
        serviceRow(t, "Cold start: process start → ready (s)", formats, results, s -> String.format(Locale.ROOT, "%.1f", s.path("coldStartSeconds").asDouble()));
        serviceRow(t, "4 concurrent clients: requests/s (half sentiment, half chat)", formats, results,
                s -> String.format(Locale.ROOT, "%.2f", s.path("requestsPerSecond").asDouble()));
        serviceRow(t, "4 concurrent clients: latency median (p95), ms", formats, results,
                s -> ms(s.path("latencyMedian")) + " (" + ms(s.path("latencyP95")) + ")");
        serviceRow(t, "Steady RSS after the load (MB)", formats, results, s -> s.path("rssMb").asText());
        t.append("\nFor reference (measured earlier on this machine, same shape): llama.cpp decodes 66 tok/s (Q8_0) and "
                + "92–122 tok/s (Q4_0), prefills 400–780 tok/s.\n");
        for (WeightFormat f : formats) {
            JsonNode ours = results.get("ours " + label(f));
            if (ours != null) {
                double decode = ours.path("chat").path("decodeMedian").asDouble();
                t.append(String.format(Locale.ROOT, "Ours %s decodes at %.2f× llama.cpp's Q4_0 (92–120 tok/s)", label(f),
                        decode / 106));
                JsonNode st = results.get("stock " + label(f));
                if (st != null) {
                    t.append(String.format(Locale.ROOT, " and %.2f× stock on the same weights", decode
                            / st.path("chat").path("decodeMedian").asDouble()));
                }
                t.append(".\n");
            }
        }
        return t.toString();
    }

    private interface Cell {
        String of(JsonNode result);
    }

    private static void row(StringBuilder t, String name, List<String> columns, Map<String, JsonNode> results, Cell cell) {
        t.append("| ").append(name).append(" |");
        for (String c : columns) {
            JsonNode r = results.get(c);
            t.append(' ').append(r == null ? "–" : cell.of(r)).append(" |");
        }
        t.append('\n');
    }

    private static void serviceRow(StringBuilder t, String name, List<WeightFormat> formats, Map<String, JsonNode> results, Cell cell) {
        t.append("| ").append(name).append(" |");
        for (WeightFormat f : formats) {
            JsonNode r = results.get("service " + label(f));
            t.append(' ').append(r == null ? "–" : cell.of(r)).append(" |");
        }
        t.append('\n');
    }

    private static String ms(JsonNode value) {
        return String.format(Locale.ROOT, "%.0f", value.asDouble());
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException ignored) {
            // not Linux
        }
        return String.format(Locale.ROOT, "Machine: %s, %d cores, %.0f GiB RAM, %s %s, Java %s.", cpu,
                Runtime.getRuntime().availableProcessors(),
                ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                        .getTotalMemorySize() / (1024.0 * 1024 * 1024),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
    }
}
