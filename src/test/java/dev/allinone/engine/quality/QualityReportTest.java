package dev.allinone.engine.quality;

import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.sentiment.SentimentQualityCheck;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quality report's figures where the answer is known, on the tiny checkpoint: the weights as published
 * against themselves (read in place, as the reference is) are exact, logits and the sentiment analyst's labels; a
 * damaged copy of the checkpoint is far off; and the guard serves the next more precise format when the chosen
 * one's error is above the limit.
 */
class QualityReportTest {

    /** The sentiment analyst's check, on a spread of its labelled messages. */
    private static final int MESSAGES = 12;
    private static final List<ChoiceCheck> SENTIMENT = List.of(new SentimentQualityCheck().check().sample(MESSAGES));

    @TempDir
    Path temp;

    /** A model directory of its own (its kept copies and reports are this test's). */
    private Path model() throws IOException {
        Path source = TestModels.directory(TestModels.tiny()).path();
        Path dir = temp.resolve("models").resolve(source.getFileName());
        Files.createDirectories(dir);
        try (var files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    @Test
    void theCalibrationTextIsBilingualAndAboutTwoThousandTokens() throws IOException {
        Path dir = TestModels.directory(TestModels.tiny()).path();
        try (var tokenizer = dev.allinone.engine.text.HfTokenizer.load(dir)) {
            int[] tokens = CalibrationText.tokens(tokenizer);
            assertThat(tokens).hasSize(CalibrationText.TOKENS);
            String text = tokenizer.decode(tokens);
            assertThat(text).contains("Customer:").contains("客户：").contains("Message (negative)");
        }
    }

    @Test
    void theWeightsAsPublishedAgainstThemselvesAreExactAndADamagedCopyIsFarOff() throws Exception {
        Path dir = model();
        QualityReport q4;
        try (Transformer reference = CpuTransformer.loadReference(dir, 2)) {
            try (Transformer same = CpuTransformer.load(dir, 2, WeightFormat.BF16)) {
                QualityReport exact = QualityMeasurement.measure(dir, reference, same, "BF16", 256, SENTIMENT);
                assertThat(exact.positions()).isEqualTo(256);
                assertThat(exact.logitRmsError()).isZero();
                assertThat(exact.top1Agreement()).isEqualTo(1.0);
                assertThat(exact.meanKl()).isZero();
                assertThat(exact.choices()).singleElement().satisfies(sentiment -> {
                    assertThat(sentiment.name()).isEqualTo("sentiment");
                    assertThat(sentiment.messages()).isEqualTo(MESSAGES);
                    assertThat(sentiment.labelAgreement()).isEqualTo(1.0);
                    assertThat(sentiment.largestProbabilityDifference()).isZero();
                });
            }
            try (Transformer quantized = CpuTransformer.load(dir, 2, WeightFormat.Q4)) { // keeps its copy
                q4 = QualityMeasurement.measure(dir, reference, quantized, "Q4", 256, SENTIMENT);
            }
            assertThat(q4.logitRmsError()).isBetween(0.001, 0.5);
            assertThat(q4.meanKl()).isPositive();
            assertThat(q4.choices().getFirst().largestProbabilityDifference()).isPositive();
        }
        // A damaged copy of the checkpoint: the sign of every other weight flipped in the middle third of its
        // tensors' bytes. Far off, where Q4 is close.
        Path damaged = temp.resolve("damaged").resolve(dir.getFileName());
        Files.createDirectories(damaged);
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, damaged.resolve(f.getFileName()));
            }
        }
        Path weights = damaged.resolve("model.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(weights.toFile(), "rw")) {
            byte[] size = new byte[8];
            file.readFully(size);
            long header = java.nio.ByteBuffer.wrap(size).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            long data = 8 + header, length = file.length() - data;
            long from = data + length / 3 / 2 * 2, to = data + 2 * length / 3 / 2 * 2;
            byte[] bytes = new byte[(int) (to - from)];
            file.seek(from);
            file.readFully(bytes);
            for (int i = 1; i < bytes.length; i += 4) {
                bytes[i] ^= (byte) 0x80; // the high byte of a little-endian bfloat16 holds its sign
            }
            file.seek(from);
            file.write(bytes);
        }
        try (Transformer reference = CpuTransformer.loadReference(dir, 2);
             Transformer broken = CpuTransformer.load(damaged, 2, WeightFormat.BF16)) {
            QualityReport far = QualityMeasurement.measure(dir, reference, broken, "damaged", 256, SENTIMENT);
            assertThat(far.logitRmsError()).isGreaterThan(5 * q4.logitRmsError());
            assertThat(far.top1Agreement()).isLessThan(q4.top1Agreement());
            assertThat(far.meanKl()).isGreaterThan(10 * q4.meanKl());
            assertThat(far.choices().getFirst().largestProbabilityDifference())
                    .isGreaterThan(2 * q4.choices().getFirst().largestProbabilityDifference());
        }
    }

    @Test
    void theReportIsKeptAndTheGuardServesTheNextMorePreciseFormat() throws Exception {
        Path dir = model();
        // An application without the sentiment analyst: its report has no sentiment part.
        try (Transformer q4 = QualityGuard.kernels(WeightFormat.Q4, true, null, List::of, 256, MESSAGES).load(dir, 2)) {
            assertThat(q4.quality().orElseThrow().choices()).isEmpty();
        }
        // No limit: Q4 is served, measured (again: the kept report lacks the analyst's part) and kept beside its copy.
        try (Transformer q4 = QualityGuard.kernels(WeightFormat.Q4, true, null, () -> SENTIMENT, 256, MESSAGES).load(dir, 2)) {
            assertThat(q4.weightType()).isEqualTo("Q4");
            assertThat(q4.quality()).isPresent();
            assertThat(q4.quality().get().positions()).isEqualTo(256);
            assertThat(q4.quality().get().choices()).singleElement()
                    .satisfies(sentiment -> assertThat(sentiment.messages()).isEqualTo(MESSAGES));
        }
        Path kept = CpuTransformer.keptCopy(dir, WeightFormat.Q4).resolveSibling("quality.json");
        long written = Files.getLastModifiedTime(kept).toMillis();
        double q4Error;
        try (Transformer again = QualityGuard.kernels(WeightFormat.Q4, true, null, () -> SENTIMENT, 256, MESSAGES).load(dir, 2)) {
            q4Error = again.quality().orElseThrow().logitRmsError();
        }
        assertThat(Files.getLastModifiedTime(kept).toMillis()).as("read, not measured again").isEqualTo(written);
        // A limit just below Q4's error: the next more precise format, Q4K, is served instead.
        try (Transformer guarded = QualityGuard.kernels(WeightFormat.Q4, true, q4Error * 0.9, () -> SENTIMENT, 256, MESSAGES).load(dir, 2)) {
            assertThat(guarded.weightType()).isEqualTo("Q4K");
            assertThat(guarded.quality().orElseThrow().logitRmsError()).isLessThanOrEqualTo(q4Error * 0.9);
        }
        // A limit no quantized format meets: Q4K, then Q8 are measured and refused; the weights as published.
        try (Transformer exact = QualityGuard.kernels(WeightFormat.Q4, true, 1e-9, List::of, 256, MESSAGES).load(dir, 2)) {
            assertThat(exact.weightType()).isEqualTo("BF16");
        }
    }
}
