package dev.allinone.engine.quality;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a weight format costs, measured on the checkpoint's own weights: the format's next-token logits against
 * those of the checkpoint's BF16 weights, position by position over the calibration text.
 *
 * @param format         the measured format (Q4, Q8, ...)
 * @param reference      what it was measured against (BF16: the checkpoint as published)
 * @param positions      calibration positions compared
 * @param logitRmsError  root mean square of the logits' differences, relative to the reference logits' spread
 *                       (their standard deviation at each position, pooled): 0 is exact
 * @param top1Agreement  share of positions where both pick the same most likely next token
 * @param meanKl         mean Kullback–Leibler divergence of the format's next-token distribution from the
 *                       reference's, in nats
 */
public record QualityReport(String format, String reference, int positions, double logitRmsError,
                            double top1Agreement, double meanKl) {

    /** One line for the log. */
    public String line() {
        return String.format(Locale.ROOT, "%s against %s on %,d calibration positions: logit RMS error %.2f%%, "
                        + "top-1 agreement %.1f%%, mean KL %.4f nats", format, reference, positions, 100 * logitRmsError,
                100 * top1Agreement, meanKl);
    }

    /** As shown in readiness details and {@code /actuator/info}. */
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("format", format);
        details.put("reference", reference);
        details.put("positions", positions);
        details.put("logitRmsError", logitRmsError);
        details.put("top1Agreement", top1Agreement);
        details.put("meanKl", meanKl);
        return details;
    }
}
