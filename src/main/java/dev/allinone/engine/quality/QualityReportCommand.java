package dev.allinone.engine.quality;

import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.WeightFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./mvnw -q compile exec:exec@quality-report [-Dquality.args="--formats=q4,q8 --model-dir=models/..."]}:
 * measures weight formats against the checkpoint's own BF16 weights on the calibration text
 * ({@link CalibrationText}) and prints one {@link QualityReport} line per format. The BF16 reference is read in
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
        int[] tokens;
        try (HfTokenizer tokenizer = HfTokenizer.load(modelDir)) {
            tokens = CalibrationText.tokens(tokenizer);
        }
        try (Transformer reference = CpuTransformer.loadReference(modelDir, threads)) {
            for (WeightFormat format : formats) {
                long start = System.nanoTime();
                try (Transformer candidate = CpuTransformer.load(modelDir, threads, format)) {
                    QualityReport report = QualityMeasurement.measure(reference, candidate, tokens, format.name(), "BF16");
                    System.out.printf(Locale.ROOT, "RESULT %s (%.0f s)%n", report.line(), (System.nanoTime() - start) / 1e9);
                }
            }
        }
        System.exit(0);
    }
}
