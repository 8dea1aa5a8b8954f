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
