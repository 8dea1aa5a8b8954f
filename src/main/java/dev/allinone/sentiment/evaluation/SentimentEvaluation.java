package dev.allinone.sentiment.evaluation;

import dev.allinone.sentiment.Sentiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores sentiment predictions against labels: accuracy, per-label precision / recall / F1, macro-F1, the
 * confusion matrix, accuracy per language, and latency percentiles.
 */
public final class SentimentEvaluation {

    /** One labelled example and what the analyst said, in how long. */
    public record Prediction(String text, String language, Sentiment expected, Sentiment predicted, double millis) {
    }

    private final List<Prediction> predictions = new ArrayList<>();

    public void add(Prediction prediction) {
        predictions.add(prediction);
    }

    public int size() {
        return predictions.size();
    }

    public double accuracy() {
        return predictions.isEmpty() ? 0
                : (double) predictions.stream().filter(p -> p.expected() == p.predicted()).count() / predictions.size();
    }

    /** counts[expected][predicted]. */
    public long[][] confusion() {
        long[][] counts = new long[Sentiment.values().length][Sentiment.values().length];
        for (Prediction p : predictions) {
            counts[p.expected().ordinal()][p.predicted().ordinal()]++;
        }
        return counts;
    }

    /** F1 of one label; 0 when the label is never predicted or never expected. */
    public double f1(Sentiment label) {
        long[][] c = confusion();
        int i = label.ordinal();
        long truePositives = c[i][i];
        long predicted = 0;
        long actual = 0;
        for (int j = 0; j < c.length; j++) {
            predicted += c[j][i];
            actual += c[i][j];
        }
        if (truePositives == 0) {
            return 0;
        }
        double precision = (double) truePositives / predicted;
        double recall = (double) truePositives / actual;
        return 2 * precision * recall / (precision + recall);
    }

    public double macroF1() {
        double sum = 0;
        for (Sentiment s : Sentiment.values()) {
            sum += f1(s);
        }
        return sum / Sentiment.values().length;
    }

    public Map<String, Double> accuracyByLanguage() {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (Prediction p : predictions) {
            long[] c = counts.computeIfAbsent(p.language(), l -> new long[2]);
            c[0] += p.expected() == p.predicted() ? 1 : 0;
            c[1]++;
        }
        Map<String, Double> result = new LinkedHashMap<>();
        counts.forEach((language, c) -> result.put(language, (double) c[0] / c[1]));
        return result;
    }

    /** Nearest-rank latency percentile, in milliseconds. */
    public double latencyPercentile(double p) {
        List<Double> sorted = new ArrayList<>(predictions.stream().map(Prediction::millis).toList());
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public String report() {
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "Examples: %d%nAccuracy: %.3f%nMacro-F1: %.3f%n", size(), accuracy(), macroF1()));
        Map<Sentiment, Double> f1 = new EnumMap<>(Sentiment.class);
        for (Sentiment s : Sentiment.values()) {
            f1.put(s, f1(s));
        }
        r.append("F1 per label: ");
        f1.forEach((s, v) -> r.append(String.format(Locale.ROOT, "%s %.3f  ", s, v)));
        r.append("\nAccuracy per language: ");
        accuracyByLanguage().forEach((l, v) -> r.append(String.format(Locale.ROOT, "%s %.3f  ", l, v)));
        r.append("\n\nConfusion matrix (rows: expected, columns: predicted)\n");
        r.append(String.format(Locale.ROOT, "%-10s", ""));
        for (Sentiment s : Sentiment.values()) {
            r.append(String.format(Locale.ROOT, "%10s", s));
        }
        r.append('\n');
        long[][] c = confusion();
        for (Sentiment expected : Sentiment.values()) {
            r.append(String.format(Locale.ROOT, "%-10s", expected));
            for (Sentiment predicted : Sentiment.values()) {
                r.append(String.format(Locale.ROOT, "%10d", c[expected.ordinal()][predicted.ordinal()]));
            }
            r.append('\n');
        }
        r.append(String.format(Locale.ROOT, "%nLatency per message: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                latencyPercentile(50), latencyPercentile(90), latencyPercentile(99), latencyPercentile(100)));
        return r.toString();
    }
}
