package dev.allinone.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;

/**
 * BF16 weights as published, copied from the checkpoint as they are. A bfloat16 is the upper half
 * of a float, so no conversion instruction is needed: a vector of ints holds two weights each, the even one in
 * the low half (shift it up) and the odd one in the high half (mask the low half off); the input is split into
 * its even and odd elements once per product to match.
 */
final class Bf16Matrix extends Matrix {

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int STEP = 2 * F.length(); // weights per int vector
    /** Two weights per int, little-endian: the even one in the low half. */
    private final int[] data;
    private final int vectorCols;

    Bf16Matrix(ByteBuffer bf16, int rows, int cols) {
        super(rows, cols);
        if (bf16.capacity() != 2L * rows * cols || cols % 2 != 0) {
            throw new IllegalArgumentException("BF16 " + rows + "x" + cols + " needs " + 2L * rows * cols + " bytes");
        }
        this.data = new int[Math.toIntExact((long) rows * cols / 2)];
        bf16.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(data);
        this.vectorCols = cols - cols % STEP;
    }

    @Override
    float get(int row, int col) {
        int pair = data[(int) (((long) row * cols + col) >> 1)];
        return Float.intBitsToFloat((col & 1) == 0 ? pair << 16 : pair & 0xFFFF0000);
    }

    @Override
    long bytes() {
        return 4L * data.length;
    }

    @Override
    String format() {
        return "BF16";
    }

    /** The even and odd elements of x's vector part, side by side: [even..., odd...]. */
    private float[] split(float[] x) {
        int half = vectorCols / 2;
        float[] s = new float[vectorCols];
        for (int i = 0; i < half; i++) {
            s[i] = x[2 * i];
            s[half + i] = x[2 * i + 1];
        }
        return s;
    }

    /** Decode: two rows at a time, for independent chains of multiply-adds. */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        float[] s = split(x);
        int half = vectorCols / 2;
        int r = from;
        for (; r + 1 < to; r += 2) {
            int base0 = (int) ((long) r * cols / 2), base1 = base0 + cols / 2;
            FloatVector a0 = FloatVector.zero(F), b0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b1 = FloatVector.zero(F);
            for (int c = 0; c < vectorCols; c += STEP) {
                FloatVector xe = FloatVector.fromArray(F, s, c / 2), xo = FloatVector.fromArray(F, s, half + c / 2);
                IntVector w0 = IntVector.fromArray(I, data, base0 + c / 2);
                IntVector w1 = IntVector.fromArray(I, data, base1 + c / 2);
                a0 = even(w0).fma(xe, a0);
                b0 = odd(w0).fma(xo, b0);
                a1 = even(w1).fma(xe, a1);
                b1 = odd(w1).fma(xo, b1);
            }
            out[r] = Matrix.sum(a0.add(b0)) + tail(r, x);
            out[r + 1] = Matrix.sum(a1.add(b1)) + tail(r + 1, x);
        }
        for (; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
            for (int c = 0; c < vectorCols; c += STEP) {
                IntVector w = IntVector.fromArray(I, data, base + c / 2);
                a = even(w).fma(FloatVector.fromArray(F, s, c / 2), a);
                b = odd(w).fma(FloatVector.fromArray(F, s, half + c / 2), b);
            }
            out[r] = Matrix.sum(a.add(b)) + tail(r, x);
        }
    }

    @Override
    void dequantize(int row, float[] w) {
        int base = (int) ((long) row * cols / 2);
        for (int i = 0; i < cols / 2; i++) {
            int pair = data[base + i];
            w[2 * i] = Float.intBitsToFloat(pair << 16);
            w[2 * i + 1] = Float.intBitsToFloat(pair & 0xFFFF0000);
        }
    }

    private float tail(int r, float[] x) {
        float sum = 0;
        for (int k = vectorCols; k < cols; k++) {
            sum += get(r, k) * x[k];
        }
        return sum;
    }

    private static FloatVector even(IntVector w) {
        return w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector odd(IntVector w) {
        return w.and(0xFFFF0000).reinterpretAsFloats();
    }
}
