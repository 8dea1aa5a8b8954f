package dev.allinone.sentiment;

import dev.allinone.engine.quality.ChoiceCheck;
import dev.allinone.sentiment.evaluation.SentimentEvaluationCommand;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The sentiment analyst's part of the weight-format quality report: its system prompt, its three labels and the
 * bundled labelled messages (English and Chinese), judged under the served format and under the checkpoint's BF16
 * weights. A bean for the service ({@link SentimentAutoConfiguration}) and listed in {@code META-INF/spring.factories}
 * for the quality-report command.
 */
public final class SentimentQualityCheck implements ChoiceCheck.Source {

    @Override
    public ChoiceCheck check() {
        try (InputStream in = SentimentQualityCheck.class.getResourceAsStream("/prompts/sentiment-analyst.txt")) {
            if (in == null) {
                throw new IllegalStateException("Missing resource /prompts/sentiment-analyst.txt");
            }
            String system = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new ChoiceCheck("sentiment", system, Arrays.stream(Sentiment.values()).map(Enum::name).toList(),
                    SentimentEvaluationCommand.read(null).stream().map(SentimentEvaluationCommand.Example::text).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
