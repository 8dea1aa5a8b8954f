package dev.allinone.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * BF16 weights read in place from the mapped checkpoint: nothing on the heap. The reference a quantized format is
 * measured against ({@code engine.quality}) while that format's own weights fill the heap; slower than
 * {@link Bf16Matrix} (the pages come from the file), and the same floats in the same order, so the same logits.
 */
final class MappedBf16Matrix extends Matrix {

    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    /** The weights, as little-endian bfloat16s in the mapped checkpoint. */
    private final ShortBuffer data;
    private final int vectorCols;

    MappedBf16Matrix(ByteBuffer bf16, int rows, int cols) {
        super(rows, cols);
        if (bf16.capacity() != 2L * rows * cols) {
            throw new IllegalArgumentException("BF16 " + rows + "x" + cols + " needs " + 2L * rows * cols + " bytes");
        }
        this.data = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        this.vectorCols = cols - cols % F.length();
    }

    @Override
    float get(int row, int col) {
        return Float.intBitsToFloat(data.get(Math.toIntExact((long) row * cols + col)) << 16);
    }

    @Override
    long bytes() {
        return 0; // the checkpoint's pages, not the heap
    }

    @Override
    String format() {
        return "BF16";
    }

    /** One token, row by row, in {@link Matrix}'s order (as {@link Bf16Matrix} sums each row). */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        float[] lanes = new float[F.length()];
        short[] row = new short[cols];
        for (int r = from; r < to; r++) {
            data.get(Math.toIntExact((long) r * cols), row, 0, cols); // a bulk copy out of the mapping
            FloatVector acc = FloatVector.zero(F);
            for (int c = 0; c < vectorCols; c += F.length()) {
                acc = ((IntVector) ShortVector.fromArray(S, row, c).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, c), acc);
            }
            acc.intoArray(lanes, 0);
            float tail = 0;
            for (int c = vectorCols; c < cols; c++) {
                tail += Float.intBitsToFloat(row[c] << 16) * x[c];
            }
            out[r] = Matrix.stored(lanes) + tail;
        }
    }

    @Override
    void dequantize(int row, float[] w) {
        short[] bits = new short[cols];
        data.get(Math.toIntExact((long) row * cols), bits, 0, cols);
        for (int c = 0; c < cols; c++) {
            w[c] = Float.intBitsToFloat(bits[c] << 16);
        }
    }
}
