package dev.allinone.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix, {@code rows × cols}, row-major, in one of the engine's formats, with the two products a
 * transformer needs: matrix × vector (decode: one token) and matrix × a few vectors at once (prefill: every
 * weight read once for up to {@link #TILE} tokens). Both compute the rows {@code [from, to)} only, so that
 * two threads can split a product between them.
 */
abstract sealed class Matrix permits Bf16Matrix, Q8Matrix, Q4Matrix {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Tokens multiplied together in a batched product. */
    static final int TILE = 4;

    final int rows;
    final int cols;

    Matrix(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
    }

    /** {@code out[r] = row(r) · x} for {@code r} in {@code [from, to)}. */
    abstract void multiply(float[] x, float[] out, int from, int to);

    /** {@code out[t][r] = row(r) · xs[t]} for the first {@code n} inputs and {@code r} in {@code [from, to)}. */
    abstract void multiply(float[][] xs, int n, float[][] out, int from, int to);

    /** One weight, as the kernels see it (after dequantization): for references and tests. */
    abstract float get(int row, int col);

    /** Memory the weights take. */
    abstract long bytes();

    /** The format's name, for logs. */
    abstract String format();

    /**
     * The sum of a vector's lanes, always in the same order. {@code reduceLanes(ADD)} leaves the order of a
     * floating-point sum open, and it does differ between the JIT's intrinsic and the interpreter, so a token's
     * logits would depend on when the JIT got to the loop.
     */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) {
            v = v.add(v.rearrange(fold)); // lanewise, exact: the same in compiled and interpreted code
        }
        return v.lane(0);
    }

    /** Shuffles that fold a vector onto itself: lane i with lane i ^ half, for halves 8, 4, 2, 1 (16 lanes). */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] FOLDS = folds();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(F.length());
        VectorShuffle<Float>[] folds = new VectorShuffle[steps];
        for (int s = 0, half = F.length() / 2; half >= 1; s++, half /= 2) {
            int h = half;
            folds[s] = VectorShuffle.fromOp(F, i -> i ^ h);
        }
        return folds;
    }

    /** {@code row(r) · x} for a few rows: the logits of a few candidate tokens. */
    float dotRow(int row, float[] x) {
        float[] out = new float[rows];
        multiply(x, out, row, row + 1);
        return out[row];
    }
}
