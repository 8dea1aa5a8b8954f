package dev.allinone.engine.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;


/**
 * Blockwise 8-bit weights: every 32 consecutive weights of a row share one float scale, {@code w = q * scale}
 * with {@code q} in [-127, 127]. Half the bytes of BF16 to stream per token, at a small cost in precision.
 */
final class Q8Matrix extends BlockMatrix {

    Q8Matrix(byte[] q, float[] scales, int rows, int cols) {
        super(q, scales, rows, cols);
    }

    static Q8Matrix quantize(Safetensors.Tensor source, Parallel parallel) {
        int cols = source.cols();
        byte[] q = new byte[Math.toIntExact((long) source.rows() * cols)];
        float[] scales = BlockMatrix.quantize(source, parallel, 127f, "Q8", (r, row, first, inverse) -> {
            for (int k = 0; k < BLOCK; k++) {
                q[r * cols + first + k] = (byte) Math.clamp(Math.round(row[first + k] * inverse), -127, 127);
            }
        });
        return new Q8Matrix(q, scales, source.rows(), cols);
    }

    @Override
    int bitsPerWeight() {
        return 8;
    }

    @Override
    float get(int row, int col) {
        return data[row * cols + col] * scale(row, col / BLOCK);
    }

    @Override
    String format() {
        return "Q8";
    }

    private FloatVector weights(int offset) {
        return (FloatVector) ByteVector.fromArray(B, data, offset)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * One token, four rows at a time for independent chains of multiply-adds, in {@link Matrix}'s order: ascending
     * columns, one accumulator per row, each weight {@code q * scale} as {@link #dequantize} makes it.
     */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        int width = F.length();
        if (BLOCK % width != 0) {
            multiplyByRows(x, out, from, to);
            return;
        }
        int r = from;
        for (; r + 3 < to; r += 4) {
            int base0 = r * cols, base1 = base0 + cols, base2 = base1 + cols, base3 = base2 + cols;
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F), acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                FloatVector s0 = FloatVector.broadcast(F, scale(r, b)), s1 = FloatVector.broadcast(F, scale(r + 1, b));
                FloatVector s2 = FloatVector.broadcast(F, scale(r + 2, b)), s3 = FloatVector.broadcast(F, scale(r + 3, b));
                for (int k = 0; k < BLOCK; k += width) {
                    int c = b * BLOCK + k;
                    FloatVector xv = FloatVector.fromArray(F, x, c);
                    acc0 = weights(base0 + c).mul(s0).fma(xv, acc0);
                    acc1 = weights(base1 + c).mul(s1).fma(xv, acc1);
                    acc2 = weights(base2 + c).mul(s2).fma(xv, acc2);
                    acc3 = weights(base3 + c).mul(s3).fma(xv, acc3);
                }
            }
            out[r] = Matrix.sum(acc0) + 0f;
            out[r + 1] = Matrix.sum(acc1) + 0f;
            out[r + 2] = Matrix.sum(acc2) + 0f;
            out[r + 3] = Matrix.sum(acc3) + 0f;
        }
        for (; r < to; r++) {
            int base = r * cols;
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                FloatVector s = FloatVector.broadcast(F, scale(r, b));
                for (int k = 0; k < BLOCK; k += width) {
                    int c = b * BLOCK + k;
                    acc = weights(base + c).mul(s).fma(FloatVector.fromArray(F, x, c), acc);
                }
            }
            out[r] = Matrix.sum(acc) + 0f;
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
