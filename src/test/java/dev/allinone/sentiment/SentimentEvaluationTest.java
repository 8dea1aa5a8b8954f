package dev.allinone.sentiment;

import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.sentiment.evaluation.SentimentEvaluation;
import dev.allinone.sentiment.evaluation.SentimentEvaluationCommand;
import dev.allinone.testing.TestEngines;
import dev.langchain4j.service.AiServices;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The quality harness and its bundled data set. On random weights this proves the plumbing, not quality. */
class SentimentEvaluationTest {

    @Test
    void theBundledSetIsBilingualBalancedAndLargeEnough() throws IOException {
        List<SentimentEvaluationCommand.Example> examples = SentimentEvaluationCommand.read(null);
        assertThat(examples).hasSizeGreaterThanOrEqualTo(200);
        Map<String, Long> perLabelAndLanguage = examples.stream()
                .collect(Collectors.groupingBy(e -> e.label() + "/" + e.language(), Collectors.counting()));
        assertThat(perLabelAndLanguage).containsOnlyKeys("POSITIVE/en", "POSITIVE/zh", "NEGATIVE/en", "NEGATIVE/zh",
                "NEUTRAL/en", "NEUTRAL/zh");
        assertThat(perLabelAndLanguage.values()).allMatch(n -> n >= 30);
        assertThat(examples.stream().map(SentimentEvaluationCommand.Example::text).distinct()).hasSize(examples.size());
    }

    @Test
    void runsTheAnalystAndReportsConsistentMetrics() throws IOException {
        SentimentAnalyst analyst = AiServices.create(SentimentAnalyst.class, new EngineChatModel(TestEngines.shared(), List.of()));
        List<SentimentEvaluationCommand.Example> examples = SentimentEvaluationCommand.read(null).subList(0, 12);
        SentimentEvaluation evaluation = SentimentEvaluationCommand.evaluate(analyst, examples);

        assertThat(evaluation.size()).isEqualTo(12);
        long[][] confusion = evaluation.confusion();
        long total = 0;
        long correct = 0;
        for (int i = 0; i < confusion.length; i++) {
            for (int j = 0; j < confusion.length; j++) {
                total += confusion[i][j];
                correct += i == j ? confusion[i][j] : 0;
            }
            // Four of each label among the first twelve (the set interleaves labels).
            assertThat(confusion[i][0] + confusion[i][1] + confusion[i][2]).isEqualTo(4);
        }
        assertThat(total).isEqualTo(12);
        assertThat(evaluation.accuracy()).isCloseTo(correct / 12.0, within(1e-12));
        // Macro-F1 from the confusion matrix (rows: the label, columns: the prediction): F1 = 2 TP / (row + column).
        double f1Sum = 0;
        for (int i = 0; i < confusion.length; i++) {
            long row = 0, column = 0;
            for (int j = 0; j < confusion.length; j++) {
                row += confusion[i][j];
                column += confusion[j][i];
            }
            f1Sum += 2.0 * confusion[i][i] / (row + column);
        }
        assertThat(evaluation.macroF1()).isCloseTo(f1Sum / confusion.length, within(1e-9));
        assertThat(evaluation.report()).contains("Accuracy:", "Macro-F1:", "Confusion matrix", "Latency per message: p50",
                "Accuracy per language: en", "zh");
    }

    @Test
    void perfectPredictionsScoreOne() {
        SentimentEvaluation evaluation = new SentimentEvaluation();
        for (Sentiment s : Sentiment.values()) {
            evaluation.add(new SentimentEvaluation.Prediction("x", "en", s, s, 10));
        }
        assertThat(evaluation.accuracy()).isEqualTo(1.0);
        assertThat(evaluation.macroF1()).isEqualTo(1.0);
        evaluation.add(new SentimentEvaluation.Prediction("y", "zh", Sentiment.POSITIVE, Sentiment.NEGATIVE, 30));
        assertThat(evaluation.accuracy()).isEqualTo(0.75);
        assertThat(evaluation.f1(Sentiment.NEUTRAL)).isEqualTo(1.0);
        assertThat(evaluation.latencyPercentile(50)).isEqualTo(10.0);
        assertThat(evaluation.latencyPercentile(100)).isEqualTo(30.0);
    }
}
