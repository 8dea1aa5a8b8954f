package dev.allinone.engine.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kernel — one token, and the batched product — against a scalar double-precision product over the same
 * (dequantized) weights, and every batch width against one token alone, bit for bit (batch invariance), on shapes the
 * vector width does not divide: odd row counts, a thread split at an odd row, columns that leave a tail, and
 * the tied output layer's shape (rows in the hundreds of thousands are the lm_head's case; 1027 rows stand in).
 */
class MatrixKernelsTest {

    private static final Parallel TWO_THREADS = new Parallel(2);

    @AfterAll
    static void close() {
        TWO_THREADS.close();
    }

    private static Safetensors.Tensor random(int rows, int cols, long seed) {
        ByteBuffer data = ByteBuffer.allocate(2 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(seed);
        for (int i = 0; i < rows * cols; i++) {
            data.putShort((short) (Float.floatToIntBits((float) random.nextGaussian() * 0.05f) >>> 16));
        }
        return new Safetensors.Tensor("w", "BF16", new int[]{rows, cols}, data.flip());
    }

    private static Matrix matrix(String format, Safetensors.Tensor t) {
        return switch (format) {
            case "BF16" -> new Bf16Matrix(t.data(), t.rows(), t.cols());
            case "Q8" -> Q8Matrix.quantize(t, TWO_THREADS);
            case "Q4" -> Q4Matrix.quantize(t, TWO_THREADS);
            case "Q4K" -> Q4KMatrix.quantize(t, TWO_THREADS);
            default -> throw new IllegalArgumentException(format);
        };
    }

    private static float[] vector(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static double reference(Matrix m, int row, float[] x) {
        double sum = 0;
        for (int c = 0; c < m.cols; c++) {
            sum += (double) m.get(row, c) * x[c];
        }
        return sum;
    }

    @ParameterizedTest
    @CsvSource({"BF16,1,64", "BF16,7,96", "BF16,33,1056", "BF16,1027,1024", "BF16,5,70",
            "Q8,1,64", "Q8,7,96", "Q8,33,1056", "Q8,1027,1024",
            "Q4,1,64", "Q4,7,96", "Q4,33,1056", "Q4,1027,1024", "Q4,30,896", "Q8,30,896", "BF16,30,896",
            "Q4K,1,64", "Q4K,7,96", "Q4K,33,1056", "Q4K,1027,1024", "Q4K,30,896", "Q4K,5,2816"})
    void everyProductEqualsTheScalarReference(String format, int rows, int cols) {
        Safetensors.Tensor tensor = random(rows, cols, rows * 31L + cols);
        Matrix m = matrix(format, tensor);
        float[] x = vector(cols, 5);

        if (format.equals("Q4K")) {
            // Fitted per 16 weights (a lone large weight may be clipped): judged as a whole, against Q4's error.
            Matrix q4 = matrix("Q4", tensor);
            double error = 0, q4Error = 0;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    error += Math.pow(m.get(r, c) - tensor.bf16(r, c), 2);
                    q4Error += Math.pow(q4.get(r, c) - tensor.bf16(r, c), 2);
                }
            }
            assertThat(Math.sqrt(error / q4Error)).as("Q4K's RMS error relative to Q4's").isLessThan(0.65);
        }
        // Dequantized weights are within half a quantization step of the originals (steps are per block of 32).
        int levels = switch (format) { case "Q8" -> 127; case "Q4" -> 7; default -> 0; };
        for (int r = 0; r < rows && !format.equals("Q4K"); r++) {
            for (int c = 0; c < cols; c++) {
                double step = 0;
                if (levels > 0) {
                    int first = c / 32 * 32;
                    for (int k = first; k < first + 32; k++) {
                        step = Math.max(step, Math.abs(tensor.bf16(r, k)) / levels);
                    }
                }
                assertThat((double) Math.abs(m.get(r, c) - tensor.bf16(r, c))).isLessThanOrEqualTo(step * 0.5 + 1e-6);
            }
        }

        float[] single = new float[rows];
        TWO_THREADS.rows(rows, (from, to) -> m.multiply(x, single, from, to));
        for (int r = 0; r < rows; r++) {
            assertThat((double) single[r]).isCloseTo(reference(m, r, x), org.assertj.core.data.Offset.offset(1e-4));
        }

        // Batches of 1 to 9 (tiles of four, tokens left over, panels of four rows and a remainder, split across
        // threads): each token's products bit for bit the numbers it gets alone.
        for (int n = 1; n <= 9; n++) {
            float[][] xs = new float[n][];
            float[][] out = new float[n][rows];
            for (int t = 0; t < n; t++) {
                xs[t] = vector(cols, 100 + t);
            }
            int width = n;
            TWO_THREADS.rows(rows, (from, to) -> m.multiply(xs, width, out, from, to));
            for (int t = 0; t < n; t++) {
                float[] alone = new float[rows];
                m.multiply(xs[t], alone, 0, rows);
                assertThat(out[t]).as("token %d of a batch of %d", t, n).containsExactly(alone);
                for (int r = 0; r < rows; r++) {
                    assertThat((double) out[t][r]).isCloseTo(reference(m, r, xs[t]), org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
        // A row alone (scoring a candidate token) is the same number as in the full product.
        assertThat(m.dotRow(rows - 1, x)).isEqualTo(single[rows - 1]);
    }
}
