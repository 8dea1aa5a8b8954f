package dev.allinone.engine.cpu;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weights quantized in blocks of {@value #BLOCK} consecutive weights of a row, each block with one float scale
 * (Q8 and Q4; Q4K keeps finer scales of its own): the stored bytes, the scales, and the quantization pass Q8 and
 * Q4 share.
 */
abstract sealed class BlockMatrix extends Matrix permits Q8Matrix, Q4Matrix, Q4KMatrix {

    static final int BLOCK = 32;
    /** Bytes that widen to one vector of floats. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));

    /** The quantized weights, in the format's own layout. */
    final byte[] data;
    /** One scale per block, row by row. */
    final float[] scales;
    /** Blocks per row. */
    final int blocks;

    BlockMatrix(byte[] data, float[] scales, int rows, int cols) {
        super(rows, cols);
        if ((long) data.length != (long) rows * cols * bitsPerWeight() / 8 || scales.length != scaleCount(rows, cols)) {
            throw new IllegalArgumentException(format() + " " + rows + "x" + cols + ": stored values of the wrong size");
        }
        this.data = data;
        this.scales = scales;
        this.blocks = cols / BLOCK;
    }

    abstract int bitsPerWeight();

    /** How many floats {@link #scales} holds: one per block, unless the format says otherwise. */
    int scaleCount(int rows, int cols) {
        return rows * (cols / BLOCK);
    }

    final float scale(int row, int block) {
        return scales[row * blocks + block];
    }

    @Override
    final long bytes() {
        return data.length + 4L * scales.length;
    }

    /** Stores one block whose scale is {@code 1 / inverse}: the quantized form of {@code row[first, first + BLOCK)}. */
    @FunctionalInterface
    interface BlockWriter {
        void write(int row, float[] values, int first, float inverse);
    }

    /**
     * Quantizes {@code source} (BF16) block by block, the rows split across threads: each block's scale is its
     * largest magnitude over {@code levels}; {@code writer} stores the rounded values. Returns the scales.
     */
    static float[] quantize(Safetensors.Tensor source, Parallel parallel, float levels, String format, BlockWriter writer) {
        int rows = source.rows(), cols = source.cols();
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException(format + " needs columns in multiples of " + BLOCK + ", not " + cols);
        }
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
                    float scale = max / levels;
                    scales[r * (cols / BLOCK) + b] = scale;
                    writer.write(r, row, b * BLOCK, scale == 0 ? 0 : 1 / scale);
                }
            }
        });
        return scales;
    }
}
