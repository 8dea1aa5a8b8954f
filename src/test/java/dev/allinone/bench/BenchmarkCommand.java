package dev.allinone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.model.HuggingFaceHub;
import dev.allinone.model.ModelDirectory;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;
import dev.allinone.model.synthetic.SyntheticCheckpoint;
import dev.allinone.testing.ServiceProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./mvnw -q -DskipTests package exec:exec@benchmark [-Dbench.args="--runs=5 --launchers=mvnw,jar"]}
 *
 * <p>On a full-size synthetic checkpoint (random weights of Qwen1.5-0.5B's real shape: speed does not depend on
 * the values), in one run: the service started exactly as the README starts it, with {@code ./mvnw
 * spring-boot:run} and with {@code java -jar} and the README's flags ({@link ServiceBench}), measured over HTTP.
 * With {@code --service-formats=q4,q4km}, also weight formats side by side, one service per format measured in
 * turns ({@link ServiceBench#formats}). With {@code --engine}, also the engine's own scenarios in a JVM of their
 * own per weight format (and with {@code --stock}, stock langchain4j-jlama on the same weights). Prints Markdown tables and writes them (and
 * the raw JSON) to {@code bench-results/}.
 */
public final class BenchmarkCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_ID = "Qwen/Qwen1.5-0.5B-Chat";
    /** Tokens per Companion answer in the engine scenarios: a typical support reply (random weights never stop early). */
    private static final int COMPANION_ANSWER_TOKENS = 48;
    private static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-Djlama.max_batch_size=5");

    private BenchmarkCommand() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        List<WeightFormat> formats = List.of(WeightFormat.Q4);
        List<ServiceBench.Launcher> launchers = List.of(ServiceBench.Launcher.MVNW, ServiceBench.Launcher.JAR,
                ServiceBench.Launcher.CDS);
        boolean engine = false;
        boolean stock = false;
        List<String> serviceFormats = List.of();
        Path modelsDir = Path.of("target", "bench-models").toAbsolutePath();
        Path out = Path.of("bench-results");
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
            if (arg.startsWith("--runs=")) {
                runs = Integer.parseInt(value);
            } else if (arg.startsWith("--formats=")) {
                formats = java.util.Arrays.stream(value.split(",")).map(f -> WeightFormat.valueOf(
                        f.trim().toUpperCase(Locale.ROOT).replace('-', '_'))).toList();
            } else if (arg.startsWith("--launchers=")) {
                launchers = value.isBlank() ? List.of() : java.util.Arrays.stream(value.split(","))
                        .map(l -> ServiceBench.Launcher.valueOf(l.trim().toUpperCase(Locale.ROOT))).toList();
            } else if (arg.startsWith("--service-formats=")) {
                serviceFormats = java.util.Arrays.stream(value.split(",")).map(String::trim).toList();
            } else if (arg.equals("--engine")) {
                engine = true;
            } else if (arg.equals("--stock")) {
                engine = true;
                stock = true;
            } else if (arg.startsWith("--models-dir=")) {
                modelsDir = Path.of(value).toAbsolutePath();
            } else if (!arg.isBlank()) {
                throw new IllegalArgumentException("Unknown option " + arg
                        + " (--runs=N --launchers=mvnw,jar,cds --service-formats=q4,q4km --engine --stock --formats=bf16,q4"
                        + " --models-dir=DIR)");
            }
        }

        Map<WeightFormat, Path> dirs = engine ? prepareModels(modelsDir, formats) : Map.of();
        ModelDirectory checkpoint = ModelDirectory.of(modelsDir, MODEL_ID);
        if (!checkpoint.isComplete()) {
            System.out.println("Writing a full-size synthetic checkpoint to " + checkpoint + " ...");
            SyntheticCheckpoint.write(checkpoint.path(), SyntheticCheckpoint.Size.FULL, 42);
        }
        StringBuilder report = new StringBuilder();
        report.append("### Benchmark ").append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .append("\n\n").append(machine()).append("\n\n");
        Map<String, JsonNode> results = new LinkedHashMap<>();
        if (!launchers.isEmpty()) {
            Map<ServiceBench.Launcher, JsonNode> services = new LinkedHashMap<>();
            for (ServiceBench.Launcher launcher : launchers) {
                JsonNode service = ServiceBench.run(launcher, modelsDir, runs);
                services.put(launcher, service);
                results.put("service " + launcher.label, service);
            }
            report.append(serviceTable(services, runs));
        }
        if (!serviceFormats.isEmpty()) {
            Map<String, List<JsonNode>> byFormat = ServiceBench.formats(modelsDir, serviceFormats, Math.max(9, 3 * runs));
            byFormat.forEach((format, rounds) -> results.put("service format " + format, JSON.valueToTree(rounds)));
            report.append(formatTable(byFormat));
        }
        if (engine) {
            for (WeightFormat format : formats) {
                String f = label(format);
                results.put("ours " + f, child(OursScenarios.class, modelsDir.toString(), format.name(), String.valueOf(runs),
                        String.valueOf(COMPANION_ANSWER_TOKENS)));
                if (stock) {
                    results.put("stock " + f, child(StockScenarios.class, modelsDir.toString(),
                            MODEL_ID + (format == WeightFormat.Q4 ? "-Q4" : ""), String.valueOf(runs),
                            String.valueOf(COMPANION_ANSWER_TOKENS)));
                }
            }
            report.append(table(results, formats, stock, runs, dirs));
        }

        String text = report.toString();
        System.out.println(text);
        Files.createDirectories(out);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Files.writeString(out.resolve("benchmark-" + stamp + ".md"), text);
        Files.writeString(out.resolve("latest.md"), text);
        Files.writeString(out.resolve("benchmark-" + stamp + ".json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        System.out.println("Written to " + out.toAbsolutePath().resolve("benchmark-" + stamp + ".md"));
    }

    /**
     * Each weight format in the service: the summary (first element), then per round its figures; medians over
     * rounds, and the median of each round's ratio to the first format.
     */
    private static String formatTable(Map<String, List<JsonNode>> byFormat) {
        StringBuilder t = new StringBuilder();
        List<JsonNode> first = byFormat.values().iterator().next();
        t.append("Weight formats in the service started as the README starts it (`java -jar`, `-Xmx1g`): one service per "
                + "format, all running, measured in turns one request at a time over " + (first.size() - 1) + " rounds; "
                + "medians over rounds (the ratio: the median of each round's ratio to the first format). Prefill: a new "
                + "~300-token message on `/v1`, one answer token, prompt tokens over the engine's time (Server-Timing); "
                + "decode: a streamed 64-token chat answer as the client sees it; sentiment: the engine's time per call.\n\n");
        t.append("| format | weights (MB) | logit RMS error | sentiment label agreement | prefill tok/s | decode tok/s "
                + "| sentiment ms | peak RSS MB |\n");
        t.append("|---|---|---|---|---|---|---|---|\n");
        byFormat.forEach((format, rounds) -> {
            JsonNode summary = rounds.getFirst();
            JsonNode quality = summary.path("quality");
            String error = quality.path("exact").asBoolean(false) ? "0 (exact)" : quality.has("logitRmsError")
                    ? String.format(Locale.ROOT, "%.1f%%", 100 * quality.path("logitRmsError").asDouble()) : "not measured";
            String labels = quality.path("sentiment").has("labelAgreement") ? String.format(Locale.ROOT, "%.0f%%",
                    100 * quality.at("/sentiment/labelAgreement").asDouble()) : "-";
            List<JsonNode> measured = rounds.subList(1, rounds.size()), reference = first.subList(1, first.size());
            t.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %d |\n", format,
                    summary.path("weightsMb").asLong(), error, labels,
                    withRatio(measured, reference, r -> r.path("prefill").asDouble()),
                    withRatio(measured, reference, r -> r.path("decode").asDouble()),
                    withRatio(measured, reference, r -> r.path("sentimentModelMs").asDouble()),
                    summary.path("peakRssMb").asLong()));
        });
        return t.append('\n').toString();
    }

    private static String withRatio(List<JsonNode> rounds, List<JsonNode> first, java.util.function.ToDoubleFunction<JsonNode> value) {
        List<Double> values = new ArrayList<>(), ratios = new ArrayList<>();
        for (int i = 0; i < rounds.size(); i++) {
            values.add(value.applyAsDouble(rounds.get(i)));
            ratios.add(value.applyAsDouble(rounds.get(i)) / value.applyAsDouble(first.get(i)));
        }
        return String.format(Locale.ROOT, "%.1f (%.2f×)", Stats.median(values), Stats.median(ratios));
    }

    /** The service per launcher, side by side, and how the launchers compare. */
    private static String serviceTable(Map<ServiceBench.Launcher, JsonNode> services, int runs) {
        StringBuilder t = new StringBuilder();
        t.append("The service started as the README starts it, Q4 (the default), `-Xmx1g`, answers capped at 64 tokens, "
                + "measured over HTTP; medians (p95) in ms unless said. Sentiment: a different ~20-word review every call; "
                + "`model` is the engine's own time for the same call (prefill and label scoring, from the `Server-Timing` "
                + "header), and whole path / model is the median of the per-call ratios.\n\n");
        t.append("| Service |");
        services.keySet().forEach(l -> t.append(" `").append(l.label).append("` |"));
        t.append("\n|---|");
        services.keySet().forEach(l -> t.append("---|"));
        t.append('\n');
        serviceRow(t, "Cold start: process start → ready (s)", services, s -> String.format(Locale.ROOT, "%.1f",
                s.path("coldStartSeconds").asDouble()));
        serviceRow(t, "Vector kernels", services, s -> s.at("/engine/vectorKernels/compiled").asBoolean()
                ? String.format(Locale.ROOT, "compiled, %.1f GFLOP/s", s.at("/engine/vectorKernels/gflopsOneThread").asDouble())
                : "**NOT compiled**");
        for (String language : List.of("EN", "ZH")) {
            serviceRow(t, "Sentiment " + language + " ~20 words: whole path", services, s -> {
                JsonNode x = s.at("/sentiment/" + language);
                return ServiceBench.ms(x.path("median")) + " (" + ServiceBench.ms(x.path("p95")) + ")";
            });
            serviceRow(t, "Sentiment " + language + ": model (prefill + scoring)", services,
                    s -> ServiceBench.ms(s.at("/sentiment/" + language + "/modelMedian")));
            serviceRow(t, "Sentiment " + language + ": whole path / model", services,
                    s -> String.format(Locale.ROOT, "%.2f×", s.at("/sentiment/" + language + "/ratioMedian").asDouble()));
        }
        serviceRow(t, "Chat stream, ~100-token message: time to first token", services,
                s -> ServiceBench.ms(s.at("/chat/ttftMedian")) + " (" + ServiceBench.ms(s.at("/chat/ttftP95")) + ")");
        serviceRow(t, "Chat stream: decode tok/s (5th percentile)", services, s -> String.format(Locale.ROOT, "%.1f (%.1f)",
                s.at("/chat/decodeMedian").asDouble(), s.at("/chat/decodeP5").asDouble()));
        for (int turn : List.of(1, 5, 10)) {
            serviceRow(t, "Companion, time to first answer token, turn " + turn, services,
                    s -> ServiceBench.ms(s.at("/companion/turn" + turn)));
        }
        serviceRow(t, "4 concurrent clients: requests/s (half sentiment, half chat)", services,
                s -> String.format(Locale.ROOT, "%.2f", s.at("/load/requestsPerSecond").asDouble()));
        serviceRow(t, "4 concurrent clients: latency", services,
                s -> ServiceBench.ms(s.at("/load/latencyMedian")) + " (" + ServiceBench.ms(s.at("/load/latencyP95")) + ")");
        for (String n : List.of("1", "2", "4", "8")) {
            serviceRow(t, n + " streamed answers started together (" + ServiceBench.STREAM_TOKENS + " tokens, /v1): "
                    + "aggregate decode tok/s · per stream", services, s -> {
                JsonNode x = s.at("/streams/" + n);
                return String.format(Locale.ROOT, "%.1f · %.1f", x.path("aggregateDecode").asDouble(),
                        x.path("perStreamDecode").asDouble());
            });
            serviceRow(t, n + " streamed answers: first token p50 (p95) · last of the first tokens", services, s -> {
                JsonNode x = s.at("/streams/" + n);
                return ServiceBench.ms(x.path("ttftMedian")) + " (" + ServiceBench.ms(x.path("ttftP95")) + ") · "
                        + ServiceBench.ms(x.path("lastFirstTokenMedian"));
            });
        }
        serviceRow(t, "Sentiment EN p50: idle · while 4 answers stream", services, s ->
                ServiceBench.ms(s.at("/streams/sentimentIdleMedian")) + " · " + ServiceBench.ms(s.at("/streams/sentimentBusyMedian")));
        serviceRow(t, "RSS after the load (MB)", services, s -> s.path("rssMb").asText());
        JsonNode mvnw = services.get(ServiceBench.Launcher.MVNW);
        JsonNode jar = services.get(ServiceBench.Launcher.JAR);
        if (mvnw != null && jar != null) {
            t.append(String.format(Locale.ROOT, "%n`./mvnw spring-boot:run` / `java -jar`: sentiment EN %.2f×, ZH %.2f×, "
                            + "decode %.2f×.%n", mvnw.at("/sentiment/EN/median").asDouble() / jar.at("/sentiment/EN/median").asDouble(),
                    mvnw.at("/sentiment/ZH/median").asDouble() / jar.at("/sentiment/ZH/median").asDouble(),
                    mvnw.at("/chat/decodeMedian").asDouble() / jar.at("/chat/decodeMedian").asDouble()));
        }
        return t.append('\n').toString();
    }

    private static void serviceRow(StringBuilder t, String name, Map<ServiceBench.Launcher, JsonNode> services, Cell cell) {
        t.append("| ").append(name).append(" |");
        services.values().forEach(s -> t.append(' ').append(cell.of(s)).append(" |"));
        t.append('\n');
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
                    Duration.ofSeconds(5));
            ModelDirectory resolved = new ModelResolver(p, new HuggingFaceHub(p.hubUrl(), null, Duration.ofSeconds(5)),
                    new ModelStatus()).resolve();
            // Stock Jlama reads Jlama's own Q4 copy: the one our Jlama reference converts once.
            ModelDirectory dir = format == WeightFormat.Q4
                    ? new ModelDirectory(dev.allinone.engine.jlama.JlamaTransformer.q4Copy(resolved.path())) : resolved;
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
        List<String> command = ServiceProcess.java(JVM_FLAGS, main.getName(), List.of(args));
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
        t.append("The engine alone, in a JVM of its own per format (no HTTP). Full-size synthetic Qwen1.5-0.5B-Chat checkpoint (random weights; speed does not depend on their "
                + "values). `ours` = this project's engine on its own kernels (`allinone.engine.kernels=allinone`; Q4 and "
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
