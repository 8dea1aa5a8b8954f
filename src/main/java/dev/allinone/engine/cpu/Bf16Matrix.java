package dev.allinone.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;

/**
 * BF16 weights as published, copied from the checkpoint as they are. A bfloat16 is the upper half of a float, so
 * a weight unpacks by widening it to 32 bits and shifting it up: exact, no rounding.
 */
final class Bf16Matrix extends Matrix {

    /** Bfloat16s that widen to one vector of floats. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    private final short[] data;
    private final int vectorCols;

    Bf16Matrix(ByteBuffer bf16, int rows, int cols) {
        super(rows, cols);
        if (bf16.capacity() != 2L * rows * cols) {
            throw new IllegalArgumentException("BF16 " + rows + "x" + cols + " needs " + 2L * rows * cols + " bytes");
        }
        this.data = new short[Math.toIntExact((long) rows * cols)];
        bf16.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(data);
        this.vectorCols = cols - cols % F.length();
    }

    @Override
    float get(int row, int col) {
        return Float.intBitsToFloat(data[(int) ((long) row * cols + col)] << 16);
    }

    @Override
    long bytes() {
        return 2L * data.length;
    }

    @Override
    String format() {
        return "BF16";
    }

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    /**
     * One token, four rows at a time for independent chains of multiply-adds, in {@link Matrix}'s order: ascending
     * columns, one accumulator per row, then the scalar tail.
     */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        int width = F.length();
        float[] lanes = new float[width];
        int r = from;
        for (; r + 3 < to; r += 4) {
            int base0 = (int) ((long) r * cols), base1 = base0 + cols, base2 = base1 + cols, base3 = base2 + cols;
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F), acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
            for (int c = 0; c < vectorCols; c += width) {
                FloatVector xv = FloatVector.fromArray(F, x, c);
                acc0 = ((IntVector) ShortVector.fromArray(S, data, base0 + c).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, acc0);
                acc1 = ((IntVector) ShortVector.fromArray(S, data, base1 + c).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, acc1);
                acc2 = ((IntVector) ShortVector.fromArray(S, data, base2 + c).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, acc2);
                acc3 = ((IntVector) ShortVector.fromArray(S, data, base3 + c).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, acc3);
            }
            acc0.intoArray(lanes, 0);
            out[r] = Matrix.stored(lanes) + tail(r, x);
            acc1.intoArray(lanes, 0);
            out[r + 1] = Matrix.stored(lanes) + tail(r + 1, x);
            acc2.intoArray(lanes, 0);
            out[r + 2] = Matrix.stored(lanes) + tail(r + 2, x);
            acc3.intoArray(lanes, 0);
            out[r + 3] = Matrix.stored(lanes) + tail(r + 3, x);
        }
        for (; r < to; r++) {
            int base = (int) ((long) r * cols);
            FloatVector acc = FloatVector.zero(F);
            for (int c = 0; c < vectorCols; c += width) {
                acc = ((IntVector) ShortVector.fromArray(S, data, base + c).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, c), acc);
            }
            acc.intoArray(lanes, 0);
            out[r] = Matrix.stored(lanes) + tail(r, x);
        }
    }

    @Override
    void dequantize(int row, float[] w) {
        int base = (int) ((long) row * cols);
        for (int c = 0; c < cols; c++) {
            w[c] = Float.intBitsToFloat(data[base + c] << 16);
        }
    }

    /** The columns past the last whole vector, as {@link Matrix}'s tail sums them. */
    private float tail(int r, float[] x) {
        float sum = 0;
        for (int c = vectorCols; c < cols; c++) {
            sum += get(r, c) * x[c];
        }
        return sum;
    }
}
