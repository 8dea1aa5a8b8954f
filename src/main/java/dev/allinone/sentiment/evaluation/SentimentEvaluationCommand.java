package dev.allinone.sentiment.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.AllInOneApplication;
import dev.allinone.sentiment.Sentiment;
import dev.allinone.sentiment.SentimentAnalyst;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./mvnw -q compile exec:exec@sentiment-eval [-Deval.args="--file=my.jsonl --limit=50"]}: runs the
 * configured model's {@link SentimentAnalyst} (same configuration as the service, {@code config/application.yml})
 * over a labelled JSONL file ({@code {"text": ..., "label": "POSITIVE|NEGATIVE|NEUTRAL", "lang": ...}} per line)
 * and prints accuracy, macro-F1, the confusion matrix and latency percentiles.
 *
 * <p>Without {@code --file} it uses the bundled set: 210 customer-support messages written for this project,
 * English and Chinese, 70 per label. On a synthetic checkpoint (random weights) the numbers only prove the
 * plumbing; with the real model this is how to judge a prompt change.
 */
public final class SentimentEvaluationCommand {

    static final String BUNDLED = "/evaluation/sentiment-support-messages.jsonl";

    private SentimentEvaluationCommand() {
    }

    /** An example of the labelled file. */
    public record Example(String text, Sentiment label, String language) {
    }

    public static void main(String[] args) throws IOException {
        String file = null;
        int limit = Integer.MAX_VALUE;
        List<String> springArgs = new ArrayList<>(List.of("--logging.level.root=warn",
                "--logging.level.dev.allinone=warn", "--spring.main.banner-mode=off"));
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            if (arg.startsWith("--file=")) {
                file = arg.substring("--file=".length());
            } else if (arg.startsWith("--limit=")) {
                limit = Integer.parseInt(arg.substring("--limit=".length()));
            } else if (!arg.isBlank()) {
                springArgs.add(arg); // e.g. --allinone.engine.weight-format=q4
            }
        }
        List<Example> examples = read(file);
        if (examples.size() > limit) {
            examples = examples.subList(0, limit);
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(AllInOneApplication.class)
                .web(WebApplicationType.NONE).run(springArgs.toArray(String[]::new))) {
            SentimentAnalyst analyst = context.getBean(SentimentAnalyst.class);
            System.out.printf(Locale.ROOT, "Evaluating %d labelled messages from %s%n", examples.size(),
                    file == null ? "the bundled set " + BUNDLED : file);
            SentimentEvaluation evaluation = evaluate(analyst, examples);
            System.out.println(evaluation.report());
        }
    }

    public static SentimentEvaluation evaluate(SentimentAnalyst analyst, List<Example> examples) {
        SentimentEvaluation evaluation = new SentimentEvaluation();
        for (Example e : examples) {
            long start = System.nanoTime();
            Sentiment predicted = analyst.analyze(e.text());
            evaluation.add(new SentimentEvaluation.Prediction(e.text(), e.language(), e.label(), predicted,
                    (System.nanoTime() - start) / 1e6));
        }
        return evaluation;
    }

    /** Reads a labelled JSONL file, or the bundled set when {@code file} is null. */
    public static List<Example> read(String file) throws IOException {
        try (InputStream in = file == null ? SentimentEvaluationCommand.class.getResourceAsStream(BUNDLED)
                : Files.newInputStream(Path.of(file));
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            ObjectMapper json = new ObjectMapper();
            List<Example> examples = new ArrayList<>();
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(line);
                if (!node.path("text").isTextual() || !node.path("label").isTextual()) {
                    throw new IOException("Line " + lineNumber + " needs \"text\" and \"label\": " + line);
                }
                examples.add(new Example(node.path("text").asText(),
                        Sentiment.valueOf(node.path("label").asText().trim().toUpperCase(Locale.ROOT)),
                        node.path("lang").asText("?")));
            }
            return examples;
        }
    }
}
