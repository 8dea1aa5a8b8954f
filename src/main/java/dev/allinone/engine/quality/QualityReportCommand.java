package dev.allinone.engine.quality;

import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.WeightFormat;
import org.springframework.core.io.support.SpringFactoriesLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./mvnw -q compile exec:exec@quality-report [-Dquality.args="--formats=q4,q8 --model-dir=models/..."]}:
 * measures weight formats against the checkpoint's own BF16 weights on the calibration text
 * ({@link CalibrationText}) and the labelling tasks listed in {@code META-INF/spring.factories} (every message:
 * the sentiment analyst's 210) and prints one {@link QualityReport} line per format. The BF16 reference is read in
 * place from the checkpoint, so the heap holds one format's weights at a time (the README's {@code -Xmx1g}).
 */
public final class QualityReportCommand {

    private QualityReportCommand() {
    }

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of("models", "Qwen_Qwen1.5-0.5B-Chat");
        List<WeightFormat> formats = new ArrayList<>(List.of(WeightFormat.Q4, WeightFormat.Q8));
        int threads = 0;
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            if (arg.startsWith("--model-dir=")) {
                modelDir = Path.of(arg.substring("--model-dir=".length()));
            } else if (arg.startsWith("--formats=")) {
                formats.clear();
                for (String f : arg.substring("--formats=".length()).split(",")) {
                    formats.add(WeightFormat.valueOf(f.trim().toUpperCase(Locale.ROOT)));
                }
            } else if (arg.startsWith("--threads=")) {
                threads = Integer.parseInt(arg.substring("--threads=".length()));
            } else if (!arg.isBlank()) {
                System.err.println("Unknown option " + arg + "; options: --model-dir=DIR --formats=q4,q8 --threads=N");
                System.exit(2);
            }
        }
        List<ChoiceCheck> checks = SpringFactoriesLoader.loadFactories(ChoiceCheck.Source.class, null).stream()
                .map(ChoiceCheck.Source::check).toList();
        try (Transformer reference = CpuTransformer.loadReference(modelDir, threads)) {
            for (WeightFormat format : formats) {
                long start = System.nanoTime();
                try (Transformer candidate = CpuTransformer.load(modelDir, threads, format)) {
                    QualityReport report = QualityMeasurement.measure(modelDir, reference, candidate, format.name(),
                            CalibrationText.TOKENS, checks);
                    System.out.printf(Locale.ROOT, "RESULT %s (%.0f s)%n", report.line(), (System.nanoTime() - start) / 1e9);
                }
            }
        }
        System.exit(0);
    }
}
