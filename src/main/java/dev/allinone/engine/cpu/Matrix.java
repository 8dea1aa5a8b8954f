package dev.allinone.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix, {@code rows × cols}, row-major, in one of the engine's formats, with the two products a
 * transformer needs: matrix × vector (one token; each format's own kernel, which unpacks the weights in
 * registers) and matrix × many vectors (several tokens: rows are unpacked once into floats and multiplied with
 * every token, four rows by four tokens at a time, so that the work is the multiply-adds). Both compute the rows
 * {@code [from, to)} only, so that two threads can split a product between them.
 *
 * <p><b>Batch invariance.</b> Every kernel computes {@code row(r) · x} in the same order: the weights unpacked to
 * the same floats ({@link #dequantize}), one vector accumulator {@code acc = w.fma(x, acc)} over the stored columns
 * in ascending vector steps, then the sum of its lanes in a fixed order ({@link #stored}) plus the scalar tail. So a
 * token's result does not depend on how many other tokens share the product, which kernel served it, or where a
 * thread's part began: a request gets bit-identical logits alone or batched with others.
 */
abstract sealed class Matrix permits Bf16Matrix, MappedBf16Matrix, BlockMatrix {

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

    /**
     * Row {@code row}'s weights as floats, as the kernels see them, into {@code w[0, cols)}, in the order the
     * format stores a row's columns ({@link #arranged}).
     */
    abstract void dequantize(int row, float[] w);

    /**
     * A token's values in the order {@link #dequantize} gives a row's columns: the token itself, unless the format
     * stores columns in an order of its own (Q4K, so that a vector holds one weight of each of 16 sub-blocks).
     */
    float[] arranged(float[] x) {
        return x;
    }

    /**
     * Up to this many tokens, each is multiplied on its own by the format's one-token kernel; from two on,
     * unpacking each row once for all of them is faster (Q4 at Qwen1.5-0.5B's shapes, decode steps over two
     * sequences: 1.35–1.64× one, against 1.04–1.12× with each token on its own). A speed choice only: both give the
     * same bits.
     */
    static final int ONE_BY_ONE = 1;

    /**
     * {@code out[t][r] = row(r) · xs[t]} for the first {@code n} inputs and {@code r} in {@code [from, to)}: for
     * each token, bit for bit what {@link #multiply(float[], float[], int, int)} gives it alone.
     */
    final void multiply(float[][] xs, int n, float[][] out, int from, int to) {
        if (n <= ONE_BY_ONE) {
            for (int t = 0; t < n; t++) {
                multiply(xs[t], out[t], from, to);
            }
            return;
        }
        float[][] w = new float[ROWS][cols];
        float[] lanes = new float[F.length()];
        xs = xs.clone();
        for (int t = 0; t < n; t++) {
            xs[t] = arranged(xs[t]);
        }
        int r = from;
        for (; r + ROWS <= to; r += ROWS) {
            for (int i = 0; i < ROWS; i++) {
                dequantize(r + i, w[i]);
            }
            int t = 0;
            for (; t + TILE <= n; t += TILE) {
                tile4x4(w, xs, t, out, r, lanes);
            }
            for (; t < n; t++) {
                tile4x1(w, xs[t], out[t], r, lanes);
            }
        }
        for (; r < to; r++) {
            dequantize(r, w[0]);
            for (int t = 0; t < n; t++) {
                out[t][r] = dot(w[0], xs[t]);
            }
        }
    }

    /** Rows per panel of the batched product. */
    private static final int ROWS = 4;

    /** Four dequantized rows times four tokens: 16 accumulators, 8 loads per 16 multiply-adds. */
    private void tile4x4(float[][] w, float[][] xs, int t, float[][] out, int r, float[] lanes) {
        float[] w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        float[] x0 = xs[t], x1 = xs[t + 1], x2 = xs[t + 2], x3 = xs[t + 3];
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
        int width = F.length();
        int vectorCols = cols - cols % width;
        for (int c = 0; c < vectorCols; c += width) {
            FloatVector v0 = FloatVector.fromArray(F, x0, c), v1 = FloatVector.fromArray(F, x1, c);
            FloatVector v2 = FloatVector.fromArray(F, x2, c), v3 = FloatVector.fromArray(F, x3, c);
            FloatVector q = FloatVector.fromArray(F, w0, c);
            a00 = q.fma(v0, a00);
            a01 = q.fma(v1, a01);
            a02 = q.fma(v2, a02);
            a03 = q.fma(v3, a03);
            q = FloatVector.fromArray(F, w1, c);
            a10 = q.fma(v0, a10);
            a11 = q.fma(v1, a11);
            a12 = q.fma(v2, a12);
            a13 = q.fma(v3, a13);
            q = FloatVector.fromArray(F, w2, c);
            a20 = q.fma(v0, a20);
            a21 = q.fma(v1, a21);
            a22 = q.fma(v2, a22);
            a23 = q.fma(v3, a23);
            q = FloatVector.fromArray(F, w3, c);
            a30 = q.fma(v0, a30);
            a31 = q.fma(v1, a31);
            a32 = q.fma(v2, a32);
            a33 = q.fma(v3, a33);
        }
        a00.intoArray(lanes, 0);
        out[t][r] = stored(lanes) + tail(w0, x0, vectorCols);
        a01.intoArray(lanes, 0);
        out[t + 1][r] = stored(lanes) + tail(w0, x1, vectorCols);
        a02.intoArray(lanes, 0);
        out[t + 2][r] = stored(lanes) + tail(w0, x2, vectorCols);
        a03.intoArray(lanes, 0);
        out[t + 3][r] = stored(lanes) + tail(w0, x3, vectorCols);
        a10.intoArray(lanes, 0);
        out[t][r + 1] = stored(lanes) + tail(w1, x0, vectorCols);
        a11.intoArray(lanes, 0);
        out[t + 1][r + 1] = stored(lanes) + tail(w1, x1, vectorCols);
        a12.intoArray(lanes, 0);
        out[t + 2][r + 1] = stored(lanes) + tail(w1, x2, vectorCols);
        a13.intoArray(lanes, 0);
        out[t + 3][r + 1] = stored(lanes) + tail(w1, x3, vectorCols);
        a20.intoArray(lanes, 0);
        out[t][r + 2] = stored(lanes) + tail(w2, x0, vectorCols);
        a21.intoArray(lanes, 0);
        out[t + 1][r + 2] = stored(lanes) + tail(w2, x1, vectorCols);
        a22.intoArray(lanes, 0);
        out[t + 2][r + 2] = stored(lanes) + tail(w2, x2, vectorCols);
        a23.intoArray(lanes, 0);
        out[t + 3][r + 2] = stored(lanes) + tail(w2, x3, vectorCols);
        a30.intoArray(lanes, 0);
        out[t][r + 3] = stored(lanes) + tail(w3, x0, vectorCols);
        a31.intoArray(lanes, 0);
        out[t + 1][r + 3] = stored(lanes) + tail(w3, x1, vectorCols);
        a32.intoArray(lanes, 0);
        out[t + 2][r + 3] = stored(lanes) + tail(w3, x2, vectorCols);
        a33.intoArray(lanes, 0);
        out[t + 3][r + 3] = stored(lanes) + tail(w3, x3, vectorCols);
    }

    /**
     * The one-token product by way of {@link #dequantize}: for shapes the fused kernels do not cover. Same order
     * of operations as they.
     */
    final void multiplyByRows(float[] x, float[] out, int from, int to) {
        float[] w = new float[cols];
        x = arranged(x);
        for (int r = from; r < to; r++) {
            dequantize(r, w);
            out[r] = dot(w, x);
        }
    }

    /** Four dequantized rows times one token: the tile's order for each row, the token's loads shared. */
    private void tile4x1(float[][] w, float[] x, float[] out, int r, float[] lanes) {
        float[] w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int width = F.length();
        int vectorCols = cols - cols % width;
        for (int c = 0; c < vectorCols; c += width) {
            FloatVector v = FloatVector.fromArray(F, x, c);
            a0 = FloatVector.fromArray(F, w0, c).fma(v, a0);
            a1 = FloatVector.fromArray(F, w1, c).fma(v, a1);
            a2 = FloatVector.fromArray(F, w2, c).fma(v, a2);
            a3 = FloatVector.fromArray(F, w3, c).fma(v, a3);
        }
        a0.intoArray(lanes, 0);
        out[r] = stored(lanes) + tail(w0, x, vectorCols);
        a1.intoArray(lanes, 0);
        out[r + 1] = stored(lanes) + tail(w1, x, vectorCols);
        a2.intoArray(lanes, 0);
        out[r + 2] = stored(lanes) + tail(w2, x, vectorCols);
        a3.intoArray(lanes, 0);
        out[r + 3] = stored(lanes) + tail(w3, x, vectorCols);
    }

    final float dot(float[] w, float[] x) {
        int width = F.length();
        int vectorCols = cols - cols % width;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < vectorCols; c += width) {
            acc = FloatVector.fromArray(F, w, c).fma(FloatVector.fromArray(F, x, c), acc);
        }
        float[] lanes = new float[width];
        acc.intoArray(lanes, 0);
        return stored(lanes) + tail(w, x, vectorCols);
    }

    final float tail(float[] w, float[] x, int from) {
        float sum = 0;
        for (int c = from; c < cols; c++) {
            sum += w[c] * x[c];
        }
        return sum;
    }

    /** One weight, as the kernels see it (after dequantization): for references and tests. */
    abstract float get(int row, int col);

    /** Memory the weights take. */
    abstract long bytes();

    /** The format's name, for logs. */
    abstract String format();

    /**
     * The sum of a vector's lanes, stored in {@code lanes}, in a fixed order: halves added lanewise down to four
     * lanes, then {@code (l0 + l2) + (l1 + l3)}. Not {@code reduceLanes(ADD)}: its order of additions is the
     * implementation's, and compiled and interpreted code differ, so a token's logits would depend on how warm the
     * JIT was. Takes an array, not a vector: a vector passed to a method C2 does not inline is boxed on every call
     * (the tiles, whose sixteen inlined sums made them too large for C2, ran prefill 2× slower; attention, once per
     * key, decode 12× slower).
     */
    static float stored(float[] lanes) {
        int n = lanes.length;
        if (n == 16) {
            float q0 = (lanes[0] + lanes[8]) + (lanes[4] + lanes[12]);
            float q1 = (lanes[1] + lanes[9]) + (lanes[5] + lanes[13]);
            float q2 = (lanes[2] + lanes[10]) + (lanes[6] + lanes[14]);
            float q3 = (lanes[3] + lanes[11]) + (lanes[7] + lanes[15]);
            return (q0 + q2) + (q1 + q3);
        }
        if (n == 8) {
            float q0 = lanes[0] + lanes[4], q1 = lanes[1] + lanes[5], q2 = lanes[2] + lanes[6], q3 = lanes[3] + lanes[7];
            return (q0 + q2) + (q1 + q3);
        }
        if (n == 4) {
            return (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
        }
        float total = 0;
        for (float lane : lanes) {
            total += lane;
        }
        return total;
    }


    /**
     * {@code row(r) · x} for one row: the logit of a candidate token. Dequantizes just that row (a product would
     * need an output array as long as the whole matrix: 600 KB for the output layer, per candidate).
     */
    float dotRow(int row, float[] x) {
        float[] w = new float[cols];
        dequantize(row, w);
        return dot(w, arranged(x));
    }
}
