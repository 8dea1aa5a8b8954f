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
 * the scales, against 5), 0.57 of its RMS error on Gaussian weights, and as fast: see the layout.
 *
 * <p>Layout: within a super-block the columns are stored transposed, sub-block by sub-block across: stored column
 * {@code j * 16 + i} is weight {@code j} of sub-block {@code i} (a partial last super-block is stored as it is),
 * so one vector of 16 stored weights holds one weight of each sub-block and its scales are one vector too
 * ({@link #arranged} puts a token in the same order). The stored columns are packed as
 * {@link Q4Matrix} packs its columns (byte {@code k} of a 32-column block: column {@code k} low, {@code k + 16}
 * high); then every sub-block's 8-bit scale, then its 8-bit offset; {@link #scales} holds each super-block's two
 * units (scale's, offset's).
 */
final class Q4KMatrix extends BlockMatrix {

    static final int SUB = 16;
    static final int SUPER = 256;
    /** Sub-blocks per super-block: one lane each. */
    private static final int LANES = SUPER / SUB;
    /**
     * Spacings of the levels tried when fitting a sub-block, beyond the first: 14 to 16 levels across the range in
     * steps of 0.2 (llama.cpp tries steps of 0.1; on Gaussian weights these give the same error, in half the time).
     */
    private static final int STEPS = 10;

    /** Where the sub-blocks' scales and offsets start in {@link #data}. */
    private final int scaleBase, offsetBase;
    private final int superBlocks;
    /** Sub-blocks per row. */
    private final int subs;
    /** The column stored at each position: {@link #column}, once (a token is arranged for every product). */
    private final int[] stored;

    Q4KMatrix(byte[] data, float[] scales, int rows, int cols) {
        super(data, scales, rows, cols);
        long n = (long) rows * cols;
        this.scaleBase = Math.toIntExact(n / 2);
        this.offsetBase = Math.toIntExact(n / 2 + n / SUB);
        this.superBlocks = superBlocks(cols);
        this.subs = cols / SUB;
        this.stored = storedColumns(cols);
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
        int p = position(cols, col);
        int bits = data[(int) (((long) row * cols + (long) p / BLOCK * BLOCK) / 2) + p % (BLOCK / 2)] & 0xFF;
        int q = p % BLOCK < BLOCK / 2 ? bits & 0x0F : bits >>> 4;
        int sub = col / SUB;
        return Math.fma((float) q, subScale(row, sub), subOffset(row, sub));
    }

    /**
     * Where column {@code col} (weight {@code j} of sub-block {@code i} of its super-block) is stored: at
     * {@code j * 16 + i} of a whole super-block; as it is in a partial last one.
     */
    static int position(int cols, int col) {
        int first = col - col % SUPER;
        if (first + SUPER > cols) {
            return col;
        }
        int within = col % SUPER;
        return first + within % SUB * LANES + within / SUB;
    }

    /** The column stored at {@code p}: {@link #position}'s inverse (a 16 x 16 transpose is its own). */
    static int column(int cols, int p) {
        return position(cols, p);
    }

    /** {@link #column} of every stored position. */
    private static int[] storedColumns(int cols) {
        int[] stored = new int[cols];
        for (int p = 0; p < cols; p++) {
            stored[p] = column(cols, p);
        }
        return stored;
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
        int[] stored = storedColumns(cols);
        parallel.rows(rows, (from, to) -> {
            float[] row = new float[cols];
            float[] scale = new float[cols / SUB], offset = new float[cols / SUB];
            byte[] levels = new byte[cols];
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
                        float sc = unit * qs, mn = -(offsetUnit * qo), inverse = sc == 0 ? 0 : 1 / sc;
                        for (int k = 0; k < SUB; k++) {
                            int c = s * SUB + k;
                            levels[c] = (byte) Math.clamp(Math.round((row[c] - mn) * inverse), 0, 15);
                        }
                    }
                }
                // Packed in stored column order: byte k of a 32-column block holds column k low, k + 16 high.
                int base = (int) ((long) r * cols / 2);
                for (int b = 0; b < cols / BLOCK; b++) {
                    for (int k = 0; k < BLOCK / 2; k++) {
                        data[base + b * (BLOCK / 2) + k] = (byte) (levels[stored[b * BLOCK + k]]
                                | levels[stored[b * BLOCK + BLOCK / 2 + k]] << 4);
                    }
                }
            }
        });
        return new Q4KMatrix(data, units, rows, cols);
    }

    /**
     * The scale and (non-negative) offset of the 16 weights from {@code first}, as llama.cpp's
     * {@code make_qkx2_quants} fits Q4_K: {@value #STEPS} + 1 spacings of the levels around the one that spans the
     * weights' range are tried; for each, the levels it gives the weights are fitted by least squares (the lowest
     * level kept at or below 0), and the fit with the least squared error wins (a search of nine shrinks of the
     * range, tried before, left 6% more error).
     */
    private static void fit(float[] row, int first, float[] scale, float[] offset, int s) {
        float min = 0, max = Float.NEGATIVE_INFINITY;
        double sw = 0, sww = 0;
        for (int k = 0; k < SUB; k++) {
            float w = row[first + k];
            min = Math.min(min, w);
            max = Math.max(max, w);
            sw += w;
            sww += (double) w * w;
        }
        if (max <= min) {
            scale[s] = 0;
            offset[s] = -min;
            return;
        }
        float bestScale = (max - min) / 15, bestLo = min;
        double best = error(row, first, bestScale, bestLo);
        for (int step = 0; step <= STEPS; step++) {
            float inverse = (14 + 0.2f * step) / (max - min);
            int sq = 0, sqq = 0;
            float sqw = 0;
            for (int k = 0; k < SUB; k++) {
                float w = row[first + k];
                // w - min >= 0: rounding half up by truncation (Math.round's special cases cost here: 11 tries of
                // every sub-block of the model at the first start).
                int q = Math.min(15, (int) ((w - min) * inverse + 0.5f));
                sq += q;
                sqq += q * q;
                sqw += q * w;
            }
            double det = (double) SUB * sqq - (double) sq * sq;
            if (det <= 0) {
                continue;
            }
            double sc = (SUB * sqw - sq * sw) / det, lo = (sw - sc * sq) / SUB;
            if (lo > 0) {
                lo = 0;
                sc = (double) sqw / sqq;
            }
            if (sc <= 0) {
                continue;
            }
            // The sum of (q * sc + lo - w)^2 over the sub-block, from the sums already taken.
            double error = sc * sc * sqq + 2 * sc * lo * sq - 2 * sc * sqw + SUB * lo * lo - 2 * lo * sw + sww;
            if (error < best) {
                best = error;
                bestScale = (float) sc;
                bestLo = (float) lo;
            }
        }
        scale[s] = bestScale;
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
    /** Ints of one vector of floats: a sub-block's 8-bit scales widened lane by lane. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    /*
     * Every kernel unpacks a weight as q.fma(scale, -offset) with the sub-block's scale and offset as
     * subScale/subOffset compute them (the 8-bit value times its unit: one product, the same float in a vector
     * lane and in a scalar), and sums a row in ascending stored columns: dequantize's order, which Matrix's
     * products follow with the token arranged the same way. As in Q4Matrix, the vector code is written out in
     * the kernel: no helper takes or returns a vector.
     */

    /**
     * One token, with 16 float lanes and whole super-blocks: a super-block's scales and offsets are two vectors
     * (lane i: sub-block i), unpacked once from their bytes for the super-block's 16 vectors of weights, and the
     * weights' loop is Q4's without its broadcasts. Q4K's 16-weight sub-blocks cost nothing at decode this way:
     * read in stored order (16 weights of one sub-block per vector), each vector needed two broadcast scalars and
     * the product ran 1.5–1.8x slower than Q4's.
     */
    private void multiplySuperBlocks(float[] x, float[] out, int from, int to) {
        float[] ax = arranged(x);
        float[] lanes = new float[F.length()];
        for (int r = from; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            int scaleRow = scaleBase + r * subs, offsetRow = offsetBase + r * subs, unitRow = r * superBlocks * 2;
            FloatVector acc = FloatVector.zero(F);
            for (int sb = 0; sb < superBlocks; sb++) {
                int s = sb * LANES;
                FloatVector sc = ((FloatVector) ((IntVector) ByteVector.fromArray(B, data, scaleRow + s)
                        .convertShape(VectorOperators.B2I, I, 0)).and(0xFF).convert(VectorOperators.I2F, 0))
                        .mul(scales[unitRow + 2 * sb]);
                FloatVector of = ((FloatVector) ((IntVector) ByteVector.fromArray(B, data, offsetRow + s)
                        .convertShape(VectorOperators.B2I, I, 0)).and(0xFF).convert(VectorOperators.I2F, 0))
                        .mul(scales[unitRow + 2 * sb + 1]).neg();
                for (int b = sb * (SUPER / BLOCK); b < (sb + 1) * (SUPER / BLOCK); b += 4) {
                    ByteVector v = ByteVector.fromArray(B4, data, base + b * (BLOCK / 2));
                    ByteVector lo = v.and((byte) 0x0F);
                    ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                            .and((byte) 0x0F);
                    for (int part = 0; part < 4; part++) {
                        int c = (b + part) * BLOCK;
                        acc = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part)).fma(sc, of)
                                .fma(FloatVector.fromArray(F, ax, c), acc);
                        acc = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part)).fma(sc, of)
                                .fma(FloatVector.fromArray(F, ax, c + BLOCK / 2), acc);
                    }
                }
            }
            acc.intoArray(lanes, 0);
            out[r] = Matrix.stored(lanes) + 0f;
        }
    }

    /** One token: {@link #multiplySuperBlocks} where it applies; otherwise each row unpacked, then summed. */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        if (F.length() == LANES && cols % SUPER == 0) {
            multiplySuperBlocks(x, out, from, to);
        } else {
            multiplyByRows(x, out, from, to);
        }
    }

    /** The token's values in stored column order, as {@link #dequantize} gives a row. */
    @Override
    float[] arranged(float[] x) {
        float[] ax = new float[cols];
        for (int p = 0; p < cols; p++) {
            ax[p] = x[stored[p]];
        }
        return ax;
    }

    /** The row in stored column order: whole super-blocks with vectors of scales, a partial one with broadcasts. */
    @Override
    void dequantize(int row, float[] w) {
        int lanes = F.length();
        int base = (int) ((long) row * cols / 2);
        int scaleRow = scaleBase + row * subs, offsetRow = offsetBase + row * subs, unitRow = row * superBlocks * 2;
        int whole = LANES % lanes == 0 ? cols / SUPER : 0;
        for (int sb = 0; sb < whole; sb++) {
            for (int i = 0; i < LANES; i += lanes) {
                // Lanes [i, i + lanes) of every vector of this super-block belong to sub-blocks [i, i + lanes).
                int s = sb * LANES + i;
                FloatVector sc = ((FloatVector) ((IntVector) ByteVector.fromArray(B, data, scaleRow + s)
                        .convertShape(VectorOperators.B2I, I, 0)).and(0xFF).convert(VectorOperators.I2F, 0))
                        .mul(scales[unitRow + 2 * sb]);
                FloatVector of = ((FloatVector) ((IntVector) ByteVector.fromArray(B, data, offsetRow + s)
                        .convertShape(VectorOperators.B2I, I, 0)).and(0xFF).convert(VectorOperators.I2F, 0))
                        .mul(scales[unitRow + 2 * sb + 1]).neg();
                for (int b = sb * (SUPER / BLOCK); b < (sb + 1) * (SUPER / BLOCK); b++) {
                    int c = b * BLOCK + i;
                    ByteVector v = ByteVector.fromArray(B, data, base + b * (BLOCK / 2) + i);
                    ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                            .and((byte) 0x0F);
                    ((FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0)).fma(sc, of).intoArray(w, c);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).fma(sc, of).intoArray(w, c + BLOCK / 2);
                }
            }
        }
        // A partial last super-block, stored as it is: each half of a 32-column block is one sub-block.
        for (int b = whole * (SUPER / BLOCK); b < blocks && LANES % lanes == 0; b++) {
            FloatVector scLo = FloatVector.broadcast(F, subScale(row, 2 * b)), ofLo = FloatVector.broadcast(F, subOffset(row, 2 * b));
            FloatVector scHi = FloatVector.broadcast(F, subScale(row, 2 * b + 1)), ofHi = FloatVector.broadcast(F, subOffset(row, 2 * b + 1));
            for (int k = 0; k < BLOCK / 2; k += lanes) {
                int c = b * BLOCK + k;
                ByteVector v = ByteVector.fromArray(B, data, base + b * (BLOCK / 2) + k);
                ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                        .and((byte) 0x0F);
                ((FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0)).fma(scLo, ofLo).intoArray(w, c);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).fma(scHi, ofHi).intoArray(w, c + BLOCK / 2);
            }
        }
        for (int p = LANES % lanes == 0 ? cols : 0; p < cols; p++) { // lanes that do not divide a sub-block
            int bits = data[base + p / BLOCK * (BLOCK / 2) + p % (BLOCK / 2)] & 0xFF;
            int q = p % BLOCK < BLOCK / 2 ? bits & 0x0F : bits >>> 4;
            int sub = stored[p] / SUB;
            w[p] = Math.fma((float) q, subScale(row, sub), subOffset(row, sub));
        }
    }
}
