package dev.allinone.engine.quality;

import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.TransformerFactory;
import dev.allinone.engine.transformer.WeightFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * allinone's kernels in the chosen weight format, with what the format costs: the format's {@link QualityReport}
 * against the checkpoint's own BF16 weights (read in place from the mapped checkpoint, so the heap need not hold
 * them), measured once after the first quantization and read from beside the kept copy at later starts; logged
 * in one line and attached to the transformer (readiness details, {@code /actuator/info}). With a largest
 * acceptable error, a format above it is not served: the next more precise one is (Q4, then Q4K, Q4KM, Q8, BF16).
 */
public final class QualityGuard {

    private static final Logger log = LoggerFactory.getLogger(QualityGuard.class);
    /** Messages of each labelling task judged at the first start (the command judges them all). */
    static final int CHECKED_MESSAGES = 60;

    private QualityGuard() {
    }

    /**
     * @param measure       whether a format without a kept report is measured at load
     * @param maxLogitError the largest acceptable logit RMS error (e.g. 0.1 for 10%), or null for no guard
     * @param checks        the labelling tasks to check beside the logits (asked for when a format is measured)
     */
    public static TransformerFactory kernels(WeightFormat format, boolean measure, Double maxLogitError,
                                             Supplier<List<ChoiceCheck>> checks) {
        return kernels(format, measure, maxLogitError, checks, CalibrationText.TOKENS, CHECKED_MESSAGES);
    }

    /** As above, on {@code positions} calibration tokens and {@code messages} per task (tests: a fraction of the time). */
    static TransformerFactory kernels(WeightFormat format, boolean measure, Double maxLogitError,
                                      Supplier<List<ChoiceCheck>> checks, int positions, int messages) {
        return (dir, threads) -> {
            WeightFormat served = format;
            while (true) {
                CpuTransformer transformer = CpuTransformer.load(dir, threads, served);
                if (served == WeightFormat.BF16) {
                    return transformer; // the reference itself
                }
                Optional<QualityReport> report = report(dir, threads, transformer, served, measure, positions,
                        () -> checks.get().stream().map(c -> c.sample(messages)).toList());
                report.ifPresent(r -> {
                    transformer.quality(r);
                    log.info("Weight format quality: {}", r.line());
                });
                if (maxLogitError == null) {
                    return transformer;
                }
                if (report.isEmpty()) {
                    log.warn("allinone.engine.quality.max-logit-error is set, but {} has no quality report to check it"
                            + " against; serving {} unchecked", served, served);
                    return transformer;
                }
                if (report.get().logitRmsError() <= maxLogitError) {
                    return transformer;
                }
                WeightFormat next = switch (served) {
                    case Q4 -> WeightFormat.Q4K;
                    case Q4K -> WeightFormat.Q4KM;
                    case Q4KM -> WeightFormat.Q8;
                    case Q8, BF16 -> WeightFormat.BF16;
                };
                log.warn(String.format(Locale.ROOT, "%s's logit RMS error %.2f%% is above allinone.engine.quality."
                                + "max-logit-error (%.2f%%): serving the more precise %s instead", served,
                        100 * report.get().logitRmsError(), 100 * maxLogitError, next));
                transformer.close();
                served = next;
            }
        };
    }

    private static Optional<QualityReport> report(Path dir, int threads, Transformer candidate, WeightFormat format,
                                                  boolean measure, int positions, Supplier<List<ChoiceCheck>> checks) {
        KeptQualityReport kept = new KeptQualityReport(CpuTransformer.keptCopy(dir, format));
        Optional<KeptQualityReport.Kept> known = kept.read();
        if (!measure) {
            return known.map(KeptQualityReport.Kept::report);
        }
        List<ChoiceCheck> asked = checks.get();
        List<String> names = asked.stream().map(ChoiceCheck::name).toList();
        // A report kept without one of this application's labelling tasks (by an older version, or by an
        // application without that task) is measured again, so that every task the service runs is in it.
        if (known.isPresent() && known.get().checks().containsAll(names)) {
            return Optional.of(known.get().report());
        }
        if (!kept.copyExists()) {
            // Where the copy cannot be kept, neither can the report: measuring at every start would cost a minute each.
            log.info("Weight format quality: not measured ({} has no kept copy to keep the report beside); run"
                    + " ./mvnw -q compile exec:exec@quality-report to see it", format);
            return Optional.empty();
        }
        long start = System.nanoTime();
        log.info("Weight format quality: measuring {} against the checkpoint's BF16 weights (once: kept beside the"
                + " quantized copy)", format);
        QualityReport report;
        try (Transformer reference = CpuTransformer.loadReference(dir, threads)) {
            report = QualityMeasurement.measure(dir, reference, candidate, format.name(), positions, asked);
        }
        log.info("Weight format quality: measured in {} s", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        kept.write(report, names);
        return Optional.of(report);
    }
}
