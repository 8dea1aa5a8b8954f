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
    /** Where lane 0 of each key's vector lies in a block of keys (key k's vector at {@code k * F.length()}). */
    private static final int[] COLUMNS = java.util.stream.IntStream.range(0, F.length()).map(k -> k * F.length()).toArray();

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
        float max = scores(cache, layer, position, q, qOffset, kvHeadAt, scores);
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

    /**
     * {@code scores[p]} = q · key(p) × scale for {@code p} in {@code [0, position]}; returns the largest. Each key's
     * products accumulate in one vector, whose lanes are summed in {@link Matrix#stored}'s order. Summing one key's
     * lanes alone costs more than its products (a head has 64 dimensions: four multiply-adds), so with 16 or 8
     * lanes the keys go in blocks of one vector's length: each key's vector is stored as a row of {@code block},
     * and the block's columns are read back (a gather) and added as vectors in that same order, every key's sum
     * in its own lane. Bit for bit the per-key sum, at a fraction of the cost. The vector code is written out
     * here, with no helper taking or returning a vector (see {@link Matrix#stored}).
     */
    private float scores(CpuKvCache cache, int layer, int position, float[] q, int qOffset, int kvHeadAt, float[] scores) {
        int w = F.length();
        float max = Float.NEGATIVE_INFINITY;
        float[] block = new float[w * w];
        int p = 0;
        if (vectorized && (w == 16 || w == 8) && CpuKvCache.PAGE % w == 0) {
            for (; p + w <= position + 1; p += w) {
                // A block lies within one page: blocks start at multiples of w, which divides the page.
                int[] page = cache.page(layer, p);
                int first = cache.offset(false, p) + kvHeadAt, stride = cache.offset(false, p + 1) - cache.offset(false, p);
                for (int k = 0; k < w; k++) {
                    int at = first + k * stride;
                    FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
                    for (int j = 0; j < half; j += I.length()) {
                        IntVector pairs = IntVector.fromArray(I, page, at + j);
                        a = pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                                .fma(FloatVector.fromArray(F, q, qOffset + j), a);
                        b = pairs.and(0xFFFF0000).reinterpretAsFloats()
                                .fma(FloatVector.fromArray(F, q, qOffset + half + j), b);
                    }
                    a.add(b).intoArray(block, k * w);
                }
                FloatVector sums;
                if (w == 16) {
                    FloatVector q0 = FloatVector.fromArray(F, block, 0, COLUMNS, 0).add(FloatVector.fromArray(F, block, 8, COLUMNS, 0))
                            .add(FloatVector.fromArray(F, block, 4, COLUMNS, 0).add(FloatVector.fromArray(F, block, 12, COLUMNS, 0)));
                    FloatVector q1 = FloatVector.fromArray(F, block, 1, COLUMNS, 0).add(FloatVector.fromArray(F, block, 9, COLUMNS, 0))
                            .add(FloatVector.fromArray(F, block, 5, COLUMNS, 0).add(FloatVector.fromArray(F, block, 13, COLUMNS, 0)));
                    FloatVector q2 = FloatVector.fromArray(F, block, 2, COLUMNS, 0).add(FloatVector.fromArray(F, block, 10, COLUMNS, 0))
                            .add(FloatVector.fromArray(F, block, 6, COLUMNS, 0).add(FloatVector.fromArray(F, block, 14, COLUMNS, 0)));
                    FloatVector q3 = FloatVector.fromArray(F, block, 3, COLUMNS, 0).add(FloatVector.fromArray(F, block, 11, COLUMNS, 0))
                            .add(FloatVector.fromArray(F, block, 7, COLUMNS, 0).add(FloatVector.fromArray(F, block, 15, COLUMNS, 0)));
                    sums = q0.add(q2).add(q1.add(q3));
                } else {
                    FloatVector q0 = FloatVector.fromArray(F, block, 0, COLUMNS, 0).add(FloatVector.fromArray(F, block, 4, COLUMNS, 0));
                    FloatVector q1 = FloatVector.fromArray(F, block, 1, COLUMNS, 0).add(FloatVector.fromArray(F, block, 5, COLUMNS, 0));
                    FloatVector q2 = FloatVector.fromArray(F, block, 2, COLUMNS, 0).add(FloatVector.fromArray(F, block, 6, COLUMNS, 0));
                    FloatVector q3 = FloatVector.fromArray(F, block, 3, COLUMNS, 0).add(FloatVector.fromArray(F, block, 7, COLUMNS, 0));
                    sums = q0.add(q2).add(q1.add(q3));
                }
                sums.mul(scale).intoArray(scores, p);
                for (int k = p; k < p + w; k++) {
                    max = Math.max(max, scores[k]);
                }
            }
        }
        float[] lanes = new float[w];
        for (; p <= position; p++) {
            float dot = dot(q, qOffset, cache.page(layer, p), cache.offset(false, p) + kvHeadAt, lanes) * scale;
            scores[p] = dot;
            max = Math.max(max, dot);
        }
        return max;
    }

    /** One key's product, summed in {@link Matrix#stored}'s order ({@code lanes}: scratch of a vector's length). */
    private float dot(float[] q, int qOffset, int[] page, int at, float[] lanes) {
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
            a = pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, q, qOffset + j), a);
            b = pairs.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, q, qOffset + half + j), b);
        }
        a.add(b).intoArray(lanes, 0);
        return Matrix.stored(lanes);
    }

    /** The values weighted by the scores, one vector of the head at a time so that its sums stay in registers. */
    private void weightedValues(CpuKvCache cache, int layer, int position, int kvHeadAt, float[] scores, float inverse,
                                float[] out, int qOffset) {
        for (int j = 0; j < half; j += I.length()) {
            FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
            for (int p = 0; p <= position; p++) {
                IntVector pairs = IntVector.fromArray(I, cache.page(layer, p), cache.offset(true, p) + kvHeadAt + j);
                FloatVector weight = FloatVector.broadcast(F, scores[p]);
                a = pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(weight, a);
                b = pairs.and(0xFFFF0000).reinterpretAsFloats().fma(weight, b);
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

    int headSize() {
        return headSize;
    }
}
