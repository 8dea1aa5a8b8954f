package dev.allinone.engine.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;


/**
 * Blockwise 8-bit weights: every 32 consecutive weights of a row share one float scale, {@code w = q * scale}
 * with {@code q} in [-127, 127]. Half the bytes of BF16 to stream per token, at a small cost in precision.
 *
 */
final class Q8Matrix extends Matrix {

    static final int BLOCK = 32;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));

    private final byte[] q;
    private final float[] scales;
    private final int blocks;

    private Q8Matrix(byte[] q, float[] scales, int rows, int cols) {
        super(rows, cols);
        this.q = q;
        this.scales = scales;
        this.blocks = cols / BLOCK;
    }

    /** Quantizes {@code source}'s rows [from, to) into this format's storage (the rows are independent). */
    static Q8Matrix quantize(Safetensors.Tensor source, Parallel parallel) {
        int rows = source.rows(), cols = source.cols();
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q8 needs columns in multiples of " + BLOCK + ", not " + cols);
        }
        byte[] q = new byte[Math.toIntExact((long) rows * cols)];
        float[] scales = new float[rows * (cols / BLOCK)];
        parallel.rows(rows, (from, to) -> {
            float[] row = new float[cols];
            for (int r = from; r < to; r++) {
                for (int c = 0; c < cols; c++) {
                    row[c] = source.bf16(r, c);
                }
                for (int b = 0; b < cols / BLOCK; b++) {
                    float max = 0;
                    for (int k = 0; k < BLOCK; k++) {
                        max = Math.max(max, Math.abs(row[b * BLOCK + k]));
                    }
                    float scale = max / 127f;
                    float inverse = scale == 0 ? 0 : 1 / scale;
                    scales[r * (cols / BLOCK) + b] = scale;
                    for (int k = 0; k < BLOCK; k++) {
                        int v = Math.round(row[b * BLOCK + k] * inverse);
                        q[r * cols + b * BLOCK + k] = (byte) Math.clamp(v, -127, 127);
                    }
                }
            }
        });
        return new Q8Matrix(q, scales, rows, cols);
    }

    /** A matrix from stored values (see {@link QuantizedCopy}). */
    static Q8Matrix of(byte[] data, float[] scales, int rows, int cols) {
        if ((long) data.length != (long) rows * cols || scales.length != rows * (cols / BLOCK)) {
            throw new IllegalArgumentException("stored Q8 " + rows + "x" + cols + " has the wrong size");
        }
        return new Q8Matrix(data, scales, rows, cols);
    }

    byte[] data() {
        return q;
    }

    float[] scales() {
        return scales;
    }

    @Override
    float get(int row, int col) {
        return q[row * cols + col] * scale(row, col / BLOCK);
    }

    private float scale(int row, int block) {
        return scales[row * blocks + block];
    }

    @Override
    long bytes() {
        return q.length + 4L * scales.length;
    }

    @Override
    String format() {
        return "Q8";
    }

    private FloatVector weights(int offset) {
        return (FloatVector) ByteVector.fromArray(B, q, offset)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    /** Decode: two rows at a time, for independent chains of multiply-adds. */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        int lanes = F.length();
        int r = from;
        for (; r + 1 < to; r += 2) {
            int base0 = r * cols, base1 = base0 + cols;
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                FloatVector p0 = FloatVector.zero(F), p1 = FloatVector.zero(F);
                for (int k = 0; k < BLOCK; k += lanes) {
                    int c = b * BLOCK + k;
                    FloatVector xv = FloatVector.fromArray(F, x, c);
                    p0 = weights(base0 + c).fma(xv, p0);
                    p1 = weights(base1 + c).fma(xv, p1);
                }
                acc0 = p0.fma(FloatVector.broadcast(F, scale(r, b)), acc0);
                acc1 = p1.fma(FloatVector.broadcast(F, scale(r + 1, b)), acc1);
            }
            out[r] = Matrix.sum(acc0);
            out[r + 1] = Matrix.sum(acc1);
        }
        for (; r < to; r++) {
            int base = r * cols;
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                FloatVector p = FloatVector.zero(F);
                for (int k = 0; k < BLOCK; k += lanes) {
                    int c = b * BLOCK + k;
                    p = weights(base + c).fma(FloatVector.fromArray(F, x, c), p);
                }
                acc = p.fma(FloatVector.broadcast(F, scale(r, b)), acc);
            }
            out[r] = Matrix.sum(acc);
        }
    }


    @Override
    void dequantize(int row, float[] w) {
        int lanes = F.length();
        int base = row * cols;
        for (int b = 0; b < blocks; b++) {
            FloatVector scale = FloatVector.broadcast(F, scale(row, b));
            for (int k = 0; k < BLOCK; k += lanes) {
                int c = b * BLOCK + k;
                weights(base + c).mul(scale).intoArray(w, c);
            }
        }
    }
}
