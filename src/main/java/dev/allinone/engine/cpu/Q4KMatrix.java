package dev.allinone.engine.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4-bit weights with an offset per 16 weights, the idea of llama.cpp's Q4_K: {@code w = q * scale - offset},
 * {@code q} in [0, 15] (all 16 levels, not 15), scale and offset chosen per 16 weights to fit them (searched for
 * the least squared error), and stored as 8-bit multiples of their super-block's float units (256 weights per
 * super-block). The same 4 bits per weight as {@link Q4Matrix} and about the same bytes (5.25 bits per weight with
 * the scales, against 5), and ~0.6–0.7 of its error on Gaussian weights.
 *
 * <p>Layout: the nibbles as in {@link Q4Matrix} (byte {@code k} of a 32-weight block holds weight {@code k} low and
 * {@code k + 16} high, so each half of a block is one 16-weight sub-block), then every sub-block's 8-bit scale,
 * then its 8-bit offset; {@link #scales} holds each super-block's two units (scale's, offset's).
 */
final class Q4KMatrix extends BlockMatrix {

    static final int SUB = 16;
    static final int SUPER = 256;
    /** Shrinks of a sub-block's range tried for its lowest and highest level: the least squared error wins. */
    private static final float[] SHRINK = {1f, 0.9f, 0.8f};

    /** Where the sub-blocks' scales and offsets start in {@link #data}. */
    private final int scaleBase, offsetBase;
    private final int superBlocks;
    /** Sub-blocks per row. */
    private final int subs;

    Q4KMatrix(byte[] data, float[] scales, int rows, int cols) {
        super(data, scales, rows, cols);
        long n = (long) rows * cols;
        this.scaleBase = Math.toIntExact(n / 2);
        this.offsetBase = Math.toIntExact(n / 2 + n / SUB);
        this.superBlocks = superBlocks(cols);
        this.subs = cols / SUB;
    }

    private static int superBlocks(int cols) {
        return (cols + SUPER - 1) / SUPER;
    }

    @Override
    int scaleCount(int rows, int cols) {
        return rows * superBlocks(cols) * 2;
    }

    @Override
    int bitsPerWeight() {
        return 5; // 4 for the weight, 8 + 8 per 16 for its sub-block's scale and offset
    }

    @Override
    String format() {
        return "Q4K";
    }

    /** A sub-block's scale: its 8-bit multiple of its super-block's unit, one product, the same in every kernel. */
    private float subScale(int row, int sub) {
        return scales[(row * superBlocks + sub * SUB / SUPER) * 2] * (data[scaleBase + row * subs + sub] & 0xFF);
    }

    /** A sub-block's offset, negated: what the weights' fma adds. */
    private float subOffset(int row, int sub) {
        return -(scales[(row * superBlocks + sub * SUB / SUPER) * 2 + 1] * (data[offsetBase + row * subs + sub] & 0xFF));
    }

    @Override
    float get(int row, int col) {
        int b = col / BLOCK, k = col % BLOCK;
        int bits = data[(int) (((long) row * cols + (long) b * BLOCK) / 2) + (k % (BLOCK / 2))] & 0xFF;
        int q = k < BLOCK / 2 ? bits & 0x0F : bits >>> 4;
        int sub = col / SUB;
        return Math.fma((float) q, subScale(row, sub), subOffset(row, sub));
    }

    static Q4KMatrix quantize(Safetensors.Tensor source, Parallel parallel) {
        int rows = source.rows(), cols = source.cols();
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q4K needs columns in multiples of " + BLOCK + ", not " + cols);
        }
        long n = (long) rows * cols;
        byte[] data = new byte[Math.toIntExact(n / 2 + n / 8)];
        int superBlocks = superBlocks(cols);
        float[] units = new float[rows * superBlocks * 2];
        int scaleBase = Math.toIntExact(n / 2), offsetBase = Math.toIntExact(n / 2 + n / SUB);
        parallel.rows(rows, (from, to) -> {
            float[] row = new float[cols];
            float[] scale = new float[cols / SUB], offset = new float[cols / SUB];
            for (int r = from; r < to; r++) {
                for (int c = 0; c < cols; c++) {
                    row[c] = source.bf16(r, c);
                }
                for (int s = 0; s < cols / SUB; s++) {
                    fit(row, s * SUB, scale, offset, s);
                }
                for (int sb = 0; sb < superBlocks; sb++) {
                    int first = sb * SUPER / SUB, last = Math.min(cols, (sb + 1) * SUPER) / SUB;
                    float maxScale = 0, maxOffset = 0;
                    for (int s = first; s < last; s++) {
                        maxScale = Math.max(maxScale, scale[s]);
                        maxOffset = Math.max(maxOffset, offset[s]);
                    }
                    float unit = maxScale / 255, offsetUnit = maxOffset / 255;
                    units[(r * superBlocks + sb) * 2] = unit;
                    units[(r * superBlocks + sb) * 2 + 1] = offsetUnit;
                    for (int s = first; s < last; s++) {
                        int qs = unit == 0 ? 0 : Math.clamp(Math.round(scale[s] / unit), 0, 255);
                        int qo = offsetUnit == 0 ? 0 : Math.clamp(Math.round(offset[s] / offsetUnit), 0, 255);
                        data[scaleBase + r * (cols / SUB) + s] = (byte) qs;
                        data[offsetBase + r * (cols / SUB) + s] = (byte) qo;
                        // The levels from the scale and offset as stored, so rounding sees what the kernels will.
                        float sc = unit * qs, mn = -(offsetUnit * qo);
                        for (int k = 0; k < SUB; k++) {
                            int c = s * SUB + k;
                            int q = sc == 0 ? 0 : Math.clamp(Math.round((row[c] - mn) / sc), 0, 15);
                            int block = c / BLOCK, inBlock = c % BLOCK;
                            int at = (int) (((long) r * cols + (long) block * BLOCK) / 2) + inBlock % (BLOCK / 2);
                            data[at] = (byte) (inBlock < BLOCK / 2 ? (data[at] & 0xF0) | q : (data[at] & 0x0F) | (q << 4));
                        }
                    }
                }
            }
        });
        return new Q4KMatrix(data, units, rows, cols);
    }

    /**
     * The scale and (non-negative) offset of the 16 weights from {@code first}: levels from {@code -offset} to
     * {@code 15 * scale - offset}, the range shrunk at either end as far as lowers the squared error (a lone
     * large weight is clipped rather than coarsening the other fifteen), the best try refined once by least
     * squares for the levels it chose.
     */
    private static void fit(float[] row, int first, float[] scale, float[] offset, int s) {
        float min = 0, max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < SUB; k++) {
            min = Math.min(min, row[first + k]);
            max = Math.max(max, row[first + k]);
        }
        double best = Double.MAX_VALUE;
        float bestScale = 0, bestLo = 0;
        for (float low : SHRINK) {
            for (float high : SHRINK) {
                float lo = min * low, sc = (max * high - lo) / 15;
                double error = error(row, first, sc, lo);
                if (error < best) {
                    best = error;
                    bestScale = sc;
                    bestLo = lo;
                }
            }
        }
        // Then the least-squares scale and offset for the levels the best try chose (lowest level kept at or
        // below 0), as llama.cpp's Q4_K fitting refines its search.
        if (bestScale > 0) {
            float inverse = 1 / bestScale;
            double sq = 0, sw = 0, sqq = 0, sqw = 0;
            for (int k = 0; k < SUB; k++) {
                float w = row[first + k];
                int q = Math.clamp(Math.round((w - bestLo) * inverse), 0, 15);
                sq += q;
                sw += w;
                sqq += q * q;
                sqw += q * w;
            }
            double det = SUB * sqq - sq * sq;
            if (det > 0) {
                float fitted = (float) ((SUB * sqw - sq * sw) / det);
                float fittedLo = (float) Math.min(0, (sw - fitted * sq) / SUB);
                if (fitted > 0 && error(row, first, fitted, fittedLo) < best) {
                    bestScale = fitted;
                    bestLo = fittedLo;
                }
            }
        }
        scale[s] = Math.max(0, bestScale);
        offset[s] = -bestLo;
    }

    /** The squared error of the 16 weights from {@code first} on levels {@code lo + q * sc}, q in [0, 15]. */
    private static double error(float[] row, int first, float sc, float lo) {
        float inverse = sc <= 0 ? 0 : 1 / sc;
        double error = 0;
        for (int k = 0; k < SUB; k++) {
            float w = row[first + k];
            int q = Math.clamp(Math.round((w - lo) * inverse), 0, 15);
            double d = q * sc + lo - w;
            error += d * d;
        }
        return error;
    }

    private static final VectorSpecies<Byte> B4 = ByteVector.SPECIES_512;

    /*
     * Every kernel unpacks a weight as q.fma(scale, -offset) with the sub-block's scale and offset as
     * subScale/subOffset compute them: one rounding from the exact value, the same float everywhere. As in
     * Q4Matrix, the vector code is written out in the kernel: no helper takes or returns a vector.
     */

    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;

    /**
     * With 16 float lanes and whole groups of four blocks. A row's sub-block scales and offsets are unpacked first,
     * 16 at a time (one super-block per vector: the products {@link #subScale} and {@link #subOffset} compute, lane
     * by lane, the same floats), so the weights' loop reads one float per 16 weights for each, as Q4's reads its
     * scale; unpacking them one by one there, as scalars, made the product 2.6x slower than Q4's.
     */
    private void multiply4(float[] x, float[] out, int from, int to) {
        float[] lanes = new float[F.length()];
        float[] rowScale = new float[subs], rowOffset = new float[subs];
        for (int r = from; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            int scaleRow = scaleBase + r * subs, offsetRow = offsetBase + r * subs, unitRow = r * superBlocks * 2;
            int s = 0;
            for (; s + SUPER / SUB <= subs; s += SUPER / SUB) {
                int unit = unitRow + s / (SUPER / SUB) * 2;
                ((FloatVector) ((IntVector) ByteVector.fromArray(B, data, scaleRow + s).convertShape(VectorOperators.B2I, I16, 0))
                        .and(0xFF).convert(VectorOperators.I2F, 0)).mul(scales[unit]).intoArray(rowScale, s);
                ((FloatVector) ((IntVector) ByteVector.fromArray(B, data, offsetRow + s).convertShape(VectorOperators.B2I, I16, 0))
                        .and(0xFF).convert(VectorOperators.I2F, 0)).mul(scales[unit + 1]).neg().intoArray(rowOffset, s);
            }
            for (; s < subs; s++) {
                rowScale[s] = subScale(r, s);
                rowOffset[s] = subOffset(r, s);
            }
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b += 4) {
                ByteVector v = ByteVector.fromArray(B4, data, base + b * (BLOCK / 2));
                ByteVector lo = v.and((byte) 0x0F);
                ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                        .and((byte) 0x0F);
                for (int part = 0; part < 4; part++) {
                    int c = (b + part) * BLOCK;
                    int sub = 2 * (b + part);
                    acc = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part))
                            .fma(FloatVector.broadcast(F, rowScale[sub]), FloatVector.broadcast(F, rowOffset[sub]))
                            .fma(FloatVector.fromArray(F, x, c), acc);
                    acc = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part))
                            .fma(FloatVector.broadcast(F, rowScale[sub + 1]), FloatVector.broadcast(F, rowOffset[sub + 1]))
                            .fma(FloatVector.fromArray(F, x, c + BLOCK / 2), acc);
                }
            }
            acc.intoArray(lanes, 0);
            out[r] = Matrix.stored(lanes) + 0f;
        }
    }

    /** One token: {@link #multiply4} where it applies; otherwise each row unpacked, then summed in Matrix's order. */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        if (F.length() == SUB && blocks % 4 == 0) {
            multiply4(x, out, from, to);
            return;
        }
        float[] w = new float[cols];
        for (int r = from; r < to; r++) {
            dequantize(r, w);
            out[r] = dot(w, x);
        }
    }

    @Override
    void dequantize(int row, float[] w) {
        int lanes = F.length();
        int base = (int) ((long) row * cols / 2);
        for (int b = 0; b < blocks; b++) {
            FloatVector scLo = FloatVector.broadcast(F, subScale(row, 2 * b)), mnLo = FloatVector.broadcast(F, subOffset(row, 2 * b));
            FloatVector scHi = FloatVector.broadcast(F, subScale(row, 2 * b + 1)), mnHi = FloatVector.broadcast(F, subOffset(row, 2 * b + 1));
            for (int k = 0; k < BLOCK / 2; k += lanes) {
                int c = b * BLOCK + k;
                ByteVector v = ByteVector.fromArray(B, data, base + b * (BLOCK / 2) + k);
                ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                        .and((byte) 0x0F);
                ((FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0)).fma(scLo, mnLo).intoArray(w, c);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).fma(scHi, mnHi).intoArray(w, c + BLOCK / 2);
            }
        }
    }
}
