package dev.allinone.engine.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;


/**
 * Blockwise 4-bit weights: every 32 consecutive weights of a row share one float scale,
 * {@code w = (q - 8) * scale} with {@code q} in [1, 15]. Byte {@code k} of a block holds weight {@code k} in its
 * low half and weight {@code k + 16} in its high half, so one vector of bytes unpacks into two contiguous
 * vectors of weights. A quarter of BF16's bytes, at a real cost in precision.
 */
final class Q4Matrix extends BlockMatrix {

    Q4Matrix(byte[] packed, float[] scales, int rows, int cols) {
        super(packed, scales, rows, cols);
    }

    static Q4Matrix quantize(Safetensors.Tensor source, Parallel parallel) {
        int cols = source.cols();
        byte[] packed = new byte[Math.toIntExact((long) source.rows() * cols / 2)];
        float[] scales = BlockMatrix.quantize(source, parallel, 7f, "Q4", (r, row, first, inverse) -> {
            int offset = (int) (((long) r * cols + first) / 2);
            for (int k = 0; k < BLOCK / 2; k++) {
                int low = Math.clamp(Math.round(row[first + k] * inverse), -7, 7) + 8;
                int high = Math.clamp(Math.round(row[first + k + BLOCK / 2] * inverse), -7, 7) + 8;
                packed[offset + k] = (byte) (low | (high << 4));
            }
        });
        return new Q4Matrix(packed, scales, source.rows(), cols);
    }

    @Override
    int bitsPerWeight() {
        return 4;
    }

    @Override
    float get(int row, int col) {
        int b = col / BLOCK, k = col % BLOCK;
        int offset = (int) (((long) row * cols + (long) b * BLOCK) / 2) + (k % (BLOCK / 2));
        int bits = data[offset] & 0xFF;
        int q = k < BLOCK / 2 ? bits & 0x0F : bits >>> 4;
        return (q - 8) * scale(row, b);
    }

    @Override
    String format() {
        return "Q4";
    }

    private ByteVector bytesAt(int offset) {
        return ByteVector.fromArray(B, data, offset);
    }

    /** The low nibbles as floats, 0..15: the stored {@code q}. */
    private static FloatVector low(ByteVector v) {
        return (FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0);
    }

    private static FloatVector high(ByteVector v) {
        return widen(nibblesHigh(v), 0);
    }

    /**
     * {@code (q - 8) * scale} as one rounding of the exact value ({@code -8 * scale} is exact): the same float
     * as a subtraction then a multiplication, in one instruction. Every kernel unpacks a weight this way.
     */
    private static FloatVector weights(FloatVector q, FloatVector scale, FloatVector offset) {
        return q.fma(scale, offset);
    }

    private static final VectorSpecies<Byte> B4 = ByteVector.SPECIES_512;

    /**
     * With 16 float lanes and whole groups of four blocks: 64 bytes (four blocks) per load, masked and shifted once
     * for all four, each block's 16 bytes widened to floats from its part of the vector (~40% faster than a load
     * per block: the kernel is bound by unpacking, not by memory). One row at a time: with four rows in flight the
     * method grew past what C2 compiles into vector instructions, and ran 30× slower.
     */
    private void multiply4(float[] x, float[] out, int from, int to) {
        for (int r = from; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b += 4) {
                ByteVector v = ByteVector.fromArray(B4, data, base + b * (BLOCK / 2));
                ByteVector lo = v.and((byte) 0x0F), hi = nibblesHigh(v);
                for (int part = 0; part < 4; part++) {
                    int c = (b + part) * BLOCK;
                    float s = scale(r, b + part);
                    FloatVector sc = FloatVector.broadcast(F, s), of = FloatVector.broadcast(F, -8f * s);
                    acc = weights(widen(lo, part), sc, of).fma(FloatVector.fromArray(F, x, c), acc);
                    acc = weights(widen(hi, part), sc, of).fma(FloatVector.fromArray(F, x, c + BLOCK / 2), acc);
                }
            }
            out[r] = Matrix.sum(acc) + 0f;
        }
    }

    /** Shifted as 16-bit lanes: x86 has no byte shift, and the mask drops what crossed over from the neighbour. */
    private static ByteVector nibblesHigh(ByteVector v) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
    }

    private static FloatVector widen(ByteVector nibbles, int part) {
        return (FloatVector) nibbles.convertShape(VectorOperators.B2F, F, part);
    }

    /**
     * One token. With 16 float lanes and whole groups of four blocks, {@link #multiply4}; otherwise block by
     * block. Both follow {@link Matrix}'s order: ascending columns (a block's low half, then its high half), one
     * accumulator per row, the weights unpacked as {@link #dequantize} does.
     */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        int lanes = F.length();
        if (lanes == 16 && blocks % 4 == 0) {
            multiply4(x, out, from, to);
        } else if (BLOCK / 2 % lanes == 0) {
            multiplyBlocks(x, out, from, to);
        } else {
            multiplyByRows(x, out, from, to);
        }
    }

    /** Row by row, block by block: the low half's vectors, then the high half's. */
    private void multiplyBlocks(float[] x, float[] out, int from, int to) {
        int width = F.length();
        for (int r = from; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                float s = scale(r, b);
                FloatVector sc = FloatVector.broadcast(F, s), of = FloatVector.broadcast(F, -8f * s);
                for (int k = 0; k < BLOCK / 2; k += width) {
                    acc = weights(low(bytesAt(base + b * (BLOCK / 2) + k)), sc, of).fma(FloatVector.fromArray(F, x, b * BLOCK + k), acc);
                }
                for (int k = 0; k < BLOCK / 2; k += width) {
                    acc = weights(high(bytesAt(base + b * (BLOCK / 2) + k)), sc, of)
                            .fma(FloatVector.fromArray(F, x, b * BLOCK + BLOCK / 2 + k), acc);
                }
            }
            out[r] = Matrix.sum(acc) + 0f;
        }
    }

    @Override
    void dequantize(int row, float[] w) {
        int lanes = F.length();
        int base = (int) ((long) row * cols / 2);
        for (int b = 0; b < blocks; b++) {
            float s = scale(row, b);
            FloatVector sc = FloatVector.broadcast(F, s), of = FloatVector.broadcast(F, -8f * s);
            for (int k = 0; k < BLOCK / 2; k += lanes) {
                int c = b * BLOCK + k;
                ByteVector v = bytesAt(base + b * (BLOCK / 2) + k);
                weights(low(v), sc, of).intoArray(w, c);
                weights(high(v), sc, of).intoArray(w, c + BLOCK / 2);
            }
        }
    }
}
