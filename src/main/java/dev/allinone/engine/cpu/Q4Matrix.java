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

    private static final VectorSpecies<Byte> B4 = ByteVector.SPECIES_512;

    /*
     * Every kernel below unpacks a weight as {@code q.fma(scale, -8 * scale)}: {@code (q - 8) * scale} rounded once
     * from the exact value ({@code -8 * scale} is exact), the same float in every kernel. The vector code is written
     * out in each kernel, with no helper method taking or returning a vector: where C2 does not inline such a helper
     * (it will not once the helper was compiled on its own into a large method, which depends on what ran first),
     * every vector crossing the call is boxed, and decode ran 12x slower after a long prefill.
     */

    /**
     * With 16 float lanes and whole groups of four blocks: 64 bytes (four blocks) per load, masked and shifted once
     * for all four, each block's 16 bytes widened to floats from its part of the vector (~40% faster than a load
     * per block: the kernel is bound by unpacking, not by memory). One row at a time. C2 unrolls the loop over the
     * four parts, so each widening's part is a constant, as its intrinsic needs (written out by hand, the four parts
     * ran 1.5x slower; through a helper, 18x slower once a long prefill had compiled the helper on its own).
     */
    private void multiply4(float[] x, float[] out, int from, int to) {
        float[] lanes = new float[F.length()];
        for (int r = from; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b += 4) {
                ByteVector v = ByteVector.fromArray(B4, data, base + b * (BLOCK / 2));
                ByteVector lo = v.and((byte) 0x0F);
                // Shifted as 16-bit lanes: x86 has no byte shift, and the mask drops what crossed from the neighbour.
                ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                        .and((byte) 0x0F);
                for (int part = 0; part < 4; part++) {
                    int c = (b + part) * BLOCK;
                    float s = scale(r, b + part);
                    FloatVector sc = FloatVector.broadcast(F, s), of = FloatVector.broadcast(F, -8f * s);
                    acc = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part)).fma(sc, of)
                            .fma(FloatVector.fromArray(F, x, c), acc);
                    acc = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part)).fma(sc, of)
                            .fma(FloatVector.fromArray(F, x, c + BLOCK / 2), acc);
                }
            }
            acc.intoArray(lanes, 0);
            out[r] = Matrix.stored(lanes) + 0f;
        }
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
        float[] lanes = new float[width];
        for (int r = from; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                float s = scale(r, b);
                FloatVector sc = FloatVector.broadcast(F, s), of = FloatVector.broadcast(F, -8f * s);
                for (int k = 0; k < BLOCK / 2; k += width) {
                    ByteVector v = ByteVector.fromArray(B, data, base + b * (BLOCK / 2) + k);
                    acc = ((FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0)).fma(sc, of)
                            .fma(FloatVector.fromArray(F, x, b * BLOCK + k), acc);
                }
                for (int k = 0; k < BLOCK / 2; k += width) {
                    ByteVector v = ByteVector.fromArray(B, data, base + b * (BLOCK / 2) + k);
                    ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                            .and((byte) 0x0F);
                    acc = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).fma(sc, of)
                            .fma(FloatVector.fromArray(F, x, b * BLOCK + BLOCK / 2 + k), acc);
                }
            }
            acc.intoArray(lanes, 0);
            out[r] = Matrix.stored(lanes) + 0f;
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
                ByteVector v = ByteVector.fromArray(B, data, base + b * (BLOCK / 2) + k);
                ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                        .and((byte) 0x0F);
                ((FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0)).fma(sc, of).intoArray(w, c);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).fma(sc, of).intoArray(w, c + BLOCK / 2);
            }
        }
    }
}
