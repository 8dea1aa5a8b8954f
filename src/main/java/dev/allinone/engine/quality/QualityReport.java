package dev.allinone.engine.quality;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

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
 * @param choices        the labelling tasks checked ({@link ChoiceCheck}: the sentiment analyst's labels)
 */
public record QualityReport(String format, String reference, int positions, double logitRmsError,
                            double top1Agreement, double meanKl, List<ChoiceAgreement> choices) {

    public QualityReport {
        choices = choices == null ? List.of() : List.copyOf(choices);
    }

    QualityReport withChoices(List<ChoiceAgreement> checked) {
        return new QualityReport(format, reference, positions, logitRmsError, top1Agreement, meanKl, checked);
    }

    /** One line for the log. */
    public String line() {
        return String.format(Locale.ROOT, "%s against %s on %,d calibration positions: logit RMS error %.2f%%, "
                        + "top-1 agreement %.1f%%, mean KL %.4f nats", format, reference, positions, 100 * logitRmsError,
                100 * top1Agreement, meanKl) + choices.stream().map(c -> String.format(Locale.ROOT, "; %s on %d messages:"
                        + " label agreement %.1f%%, largest label-probability difference %.3f", c.name(), c.messages(),
                100 * c.labelAgreement(), c.largestProbabilityDifference())).collect(Collectors.joining());
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
        for (ChoiceAgreement c : choices) {
            details.put(c.name(), c.details());
        }
        return details;
    }
}
