package dev.allinone.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One head's attention over a {@link CpuKvCache}: scores against every earlier key, softmax, the weighted sum of
 * the values. The cache holds bfloat16 pairs (element {@code j} low, {@code j + headSize/2} high): a shift or a
 * mask turns a vector of ints into two vectors of floats, which meet the query's two halves as they are.
 * Heads whose half is not a multiple of the vector length (tiny test shapes) take the scalar path.
 */
final class Attention {

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final int headSize;
    private final int half;
    private final float scale;
    private final boolean vectorized;

    Attention(int headSize) {
        this.headSize = headSize;
        this.half = headSize / 2;
        this.scale = (float) (1.0 / Math.sqrt(headSize));
        this.vectorized = half % I.length() == 0;
    }

    /**
     * {@code out[qOffset, qOffset + headSize)} = attention of {@code q}'s head at {@code qOffset} over positions
     * {@code [0, position]} of {@code layer}, whose keys and values start at int {@code kvHeadAt} of each
     * position. {@code scores} holds at least {@code position + 1} floats (scratch).
     */
    void attend(CpuKvCache cache, int layer, int position, float[] q, int qOffset, int kvHeadAt, float[] out, float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p <= position; p++) {
            int[] page = cache.page(layer, p);
            float dot = dot(q, qOffset, page, cache.offset(false, p) + kvHeadAt) * scale;
            scores[p] = dot;
            max = Math.max(max, dot);
        }
        float sum = 0;
        for (int p = 0; p <= position; p++) {
            // Scalar Math.exp: the Vector API's EXP may round differently compiled and interpreted.
            scores[p] = (float) Math.exp(scores[p] - max);
            sum += scores[p];
        }
        float inverse = 1f / sum;
        if (vectorized) {
            weightedValues(cache, layer, position, kvHeadAt, scores, inverse, out, qOffset);
        } else {
            weightedValuesScalar(cache, layer, position, kvHeadAt, scores, inverse, out, qOffset);
        }
    }

    private float dot(float[] q, int qOffset, int[] page, int at) {
        if (!vectorized) {
            float sum = 0;
            for (int j = 0; j < half; j++) {
                int pair = page[at + j];
                sum += q[qOffset + j] * low(pair) + q[qOffset + half + j] * high(pair);
            }
            return sum;
        }
        FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
        for (int j = 0; j < half; j += I.length()) {
            IntVector pairs = IntVector.fromArray(I, page, at + j);
            a = low(pairs).fma(FloatVector.fromArray(F, q, qOffset + j), a);
            b = high(pairs).fma(FloatVector.fromArray(F, q, qOffset + half + j), b);
        }
        return Matrix.sum(a.add(b));
    }

    /** The values weighted by the scores, one vector of the head at a time so that its sums stay in registers. */
    private void weightedValues(CpuKvCache cache, int layer, int position, int kvHeadAt, float[] scores, float inverse,
                                float[] out, int qOffset) {
        for (int j = 0; j < half; j += I.length()) {
            FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
            for (int p = 0; p <= position; p++) {
                IntVector pairs = IntVector.fromArray(I, cache.page(layer, p), cache.offset(true, p) + kvHeadAt + j);
                FloatVector weight = FloatVector.broadcast(F, scores[p]);
                a = low(pairs).fma(weight, a);
                b = high(pairs).fma(weight, b);
            }
            a.mul(inverse).intoArray(out, qOffset + j);
            b.mul(inverse).intoArray(out, qOffset + half + j);
        }
    }

    private void weightedValuesScalar(CpuKvCache cache, int layer, int position, int kvHeadAt, float[] scores,
                                      float inverse, float[] out, int qOffset) {
        for (int j = 0; j < half; j++) {
            float a = 0, b = 0;
            for (int p = 0; p <= position; p++) {
                int pair = cache.page(layer, p)[cache.offset(true, p) + kvHeadAt + j];
                a += scores[p] * low(pair);
                b += scores[p] * high(pair);
            }
            out[qOffset + j] = a * inverse;
            out[qOffset + half + j] = b * inverse;
        }
    }

    static float low(int pair) {
        return Float.intBitsToFloat(pair << 16);
    }

    static float high(int pair) {
        return Float.intBitsToFloat(pair & 0xFFFF0000);
    }

    private static FloatVector low(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector high(IntVector pairs) {
        return pairs.and(0xFFFF0000).reinterpretAsFloats();
    }

    int headSize() {
        return headSize;
    }
}
