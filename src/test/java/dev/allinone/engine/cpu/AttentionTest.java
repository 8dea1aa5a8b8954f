package dev.allinone.engine.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attention over the 16-bit (bfloat16) KV cache against attention over the same keys and values in float32,
 * computed in double: every output within 1% of the head's largest value. (An output is a weighted average of
 * the values, so that is its scale; over many positions the average itself can be far smaller than any value.)
 * A bfloat16 keeps 8 significant bits (relative rounding at most 2^-9): values move by that, scores by that times
 * |q||k|, which shifts the softmax weights; the outputs move by a few tenths of a percent (printed). Both the
 * vector path (Qwen1.5-0.5B's heads of 64) and the scalar one (the tiny test model's heads of 16), over 1 to 700
 * positions, with elements spread like real ones (a few ten times larger than the rest; scores then spread
 * over several units, a peaked but not one-hot softmax).
 */
class AttentionTest {

    @ParameterizedTest
    @CsvSource({"64, 1", "64, 33", "64, 700", "16, 1", "16, 33", "16, 700"})
    void attentionOverTheSixteenBitCacheMatchesFloat32(int headSize, int positions) {
        int heads = 2, kvSize = heads * headSize;
        SplittableRandom random = new SplittableRandom(headSize * 1000L + positions);
        float[][] keys = new float[positions][kvSize], values = new float[positions][kvSize];
        CpuKvCache cache = new CpuKvCache(1, kvSize, headSize, new AtomicInteger());
        for (int p = 0; p < positions; p++) {
            fill(keys[p], random);
            fill(values[p], random);
            cache.store(0, p, keys[p], values[p]);
        }
        cache.wrote(positions);
        float[] q = new float[kvSize];
        fill(q, random);
        Attention attention = new Attention(headSize);
        float[] out = new float[kvSize];
        double worst = 0;
        for (int head = 0; head < heads; head++) {
            attention.attend(cache, 0, positions - 1, q, head * headSize, head * headSize / 2, out, new float[positions]);
            double[] expected = reference(q, keys, values, head, headSize, positions);
            double diff = 0, scale = 0;
            for (int i = 0; i < headSize; i++) {
                diff = Math.max(diff, Math.abs(expected[i] - out[head * headSize + i]));
            }
            for (float[] value : values) {
                for (int i = 0; i < headSize; i++) {
                    scale = Math.max(scale, Math.abs(value[head * headSize + i]));
                }
            }
            worst = Math.max(worst, diff / scale);
        }
        System.out.printf("head size %d, %d positions: max |diff| / max |value| = %.5f%n", headSize, positions, worst);
        assertThat(worst).isLessThan(0.01);
    }

    /** Keys and values as they come out of a layer: mostly small, a few elements ten times larger. */
    private static void fill(float[] x, SplittableRandom random) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble(-1, 1) * (random.nextInt(16) == 0 ? 10 : 1));
        }
    }

    private static double[] reference(float[] q, float[][] keys, float[][] values, int head, int headSize, int positions) {
        int at = head * headSize;
        double[] scores = new double[positions];
        double max = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < positions; p++) {
            double dot = 0;
            for (int i = 0; i < headSize; i++) {
                dot += (double) q[at + i] * keys[p][at + i];
            }
            scores[p] = dot / Math.sqrt(headSize);
            max = Math.max(max, scores[p]);
        }
        double sum = 0;
        for (int p = 0; p < positions; p++) {
            scores[p] = Math.exp(scores[p] - max);
            sum += scores[p];
        }
        double[] out = new double[headSize];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < headSize; i++) {
                out[i] += scores[p] / sum * values[p][at + i];
            }
        }
        return out;
    }
}
