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

    /**
     * One token, four rows at a time for independent chains of multiply-adds, in {@link Matrix}'s order: ascending
     * columns, one accumulator per row, each weight {@code q * scale} as {@link #dequantize} makes it.
     */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        int width = F.length();
        float[] lanes = new float[width];
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
                    acc0 = ((FloatVector) ByteVector.fromArray(B, data, base0 + c).convertShape(VectorOperators.B2F, F, 0)).mul(s0).fma(xv, acc0);
                    acc1 = ((FloatVector) ByteVector.fromArray(B, data, base1 + c).convertShape(VectorOperators.B2F, F, 0)).mul(s1).fma(xv, acc1);
                    acc2 = ((FloatVector) ByteVector.fromArray(B, data, base2 + c).convertShape(VectorOperators.B2F, F, 0)).mul(s2).fma(xv, acc2);
                    acc3 = ((FloatVector) ByteVector.fromArray(B, data, base3 + c).convertShape(VectorOperators.B2F, F, 0)).mul(s3).fma(xv, acc3);
                }
            }
            acc0.intoArray(lanes, 0);
            out[r] = Matrix.stored(lanes) + 0f;
            acc1.intoArray(lanes, 0);
            out[r + 1] = Matrix.stored(lanes) + 0f;
            acc2.intoArray(lanes, 0);
            out[r + 2] = Matrix.stored(lanes) + 0f;
            acc3.intoArray(lanes, 0);
            out[r + 3] = Matrix.stored(lanes) + 0f;
        }
        for (; r < to; r++) {
            int base = r * cols;
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                FloatVector s = FloatVector.broadcast(F, scale(r, b));
                for (int k = 0; k < BLOCK; k += width) {
                    int c = b * BLOCK + k;
                    acc = ((FloatVector) ByteVector.fromArray(B, data, base + c).convertShape(VectorOperators.B2F, F, 0)).mul(s).fma(FloatVector.fromArray(F, x, c), acc);
                }
            }
            acc.intoArray(lanes, 0);
            out[r] = Matrix.stored(lanes) + 0f;
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
                ((FloatVector) ByteVector.fromArray(B, data, base + c).convertShape(VectorOperators.B2F, F, 0)).mul(scale).intoArray(w, c);
            }
        }
    }
}
