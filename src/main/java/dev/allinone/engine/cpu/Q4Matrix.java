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

    /** The low nibbles as floats, 0..15: the stored {@code q}; the -8 is applied per block (see {@link #sums}). */
    private static FloatVector low(ByteVector v) {
        return (FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0);
    }

    private static FloatVector high(ByteVector v) {
        // Shifted as 16-bit lanes: x86 has no byte shift, and the mask drops what crossed over from the neighbour.
        return (FloatVector) v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                .and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * 8 × the sum of each block of x: {@code Σ (q - 8) x = Σ q x - 8 Σ x}, so the kernels skip a subtraction per
     * weight and subtract once per block instead.
     */
    private float[] sums(float[] x) {
        float[] sums = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            float sum = 0;
            for (int k = 0; k < BLOCK; k++) {
                sum += x[b * BLOCK + k];
            }
            sums[b] = 8 * sum;
        }
        return sums;
    }

    private static final VectorSpecies<Byte> B4 = ByteVector.SPECIES_512;

    /**
     * With 16 float lanes: 64 bytes (four blocks) per load, masked and shifted once for all four, each block's
     * 16 bytes widened to floats from its part of the vector: ~40% faster than a load per block (the decode
     * kernel is bound by unpacking, not by memory).
     */
    private void multiply4(float[] x, float[] out, int from, int to, float[] xs) {
        for (int r = from; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            FloatVector acc = FloatVector.zero(F);
            float correction = 0;
            for (int b = 0; b < blocks; b += 4) {
                ByteVector v = ByteVector.fromArray(B4, data, base + b * (BLOCK / 2));
                ByteVector lo = v.and((byte) 0x0F);
                ByteVector hi = v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                for (int part = 0; part < 4; part++) {
                    int c = (b + part) * BLOCK;
                    FloatVector p = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part)).mul(FloatVector.fromArray(F, x, c));
                    p = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part)).fma(FloatVector.fromArray(F, x, c + BLOCK / 2), p);
                    float scale = scale(r, b + part);
                    acc = p.fma(FloatVector.broadcast(F, scale), acc);
                    correction += scale * xs[b + part];
                }
            }
            out[r] = Matrix.sum(acc) - correction;
        }
    }

    /**
     * Decode. With 16 float lanes (AVX-512) and whole groups of four blocks, {@link #multiply4}; otherwise two
     * rows at a time, block by block. Both sum each row in the same order.
     */
    @Override
    void multiply(float[] x, float[] out, int from, int to) {
        int lanes = F.length();
        if (lanes == 16 && blocks % 4 == 0) {
            multiply4(x, out, from, to, sums(x));
            return;
        }
        float[] xs = sums(x);
        int r = from;
        for (; r + 1 < to; r += 2) {
            int base0 = (int) ((long) r * cols / 2), base1 = base0 + cols / 2;
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            float c0 = 0, c1 = 0;
            for (int b = 0; b < blocks; b++) {
                FloatVector p0 = FloatVector.zero(F), p1 = FloatVector.zero(F);
                for (int k = 0; k < BLOCK / 2; k += lanes) {
                    int c = b * BLOCK + k;
                    int o = b * (BLOCK / 2) + k;
                    FloatVector xl = FloatVector.fromArray(F, x, c), xh = FloatVector.fromArray(F, x, c + BLOCK / 2);
                    ByteVector v0 = bytesAt(base0 + o), v1 = bytesAt(base1 + o);
                    p0 = low(v0).fma(xl, p0);
                    p1 = low(v1).fma(xl, p1);
                    p0 = high(v0).fma(xh, p0);
                    p1 = high(v1).fma(xh, p1);
                }
                float s0 = scale(r, b), s1 = scale(r + 1, b);
                acc0 = p0.fma(FloatVector.broadcast(F, s0), acc0);
                acc1 = p1.fma(FloatVector.broadcast(F, s1), acc1);
                c0 += s0 * xs[b];
                c1 += s1 * xs[b];
            }
            out[r] = Matrix.sum(acc0) - c0;
            out[r + 1] = Matrix.sum(acc1) - c1;
        }
        for (; r < to; r++) {
            int base = (int) ((long) r * cols / 2);
            FloatVector acc = FloatVector.zero(F);
            float correction = 0;
            for (int b = 0; b < blocks; b++) {
                FloatVector p = FloatVector.zero(F);
                for (int k = 0; k < BLOCK / 2; k += lanes) {
                    int c = b * BLOCK + k;
                    ByteVector v = bytesAt(base + b * (BLOCK / 2) + k);
                    p = low(v).fma(FloatVector.fromArray(F, x, c), p);
                    p = high(v).fma(FloatVector.fromArray(F, x, c + BLOCK / 2), p);
                }
                float scale = scale(r, b);
                acc = p.fma(FloatVector.broadcast(F, scale), acc);
                correction += scale * xs[b];
            }
            out[r] = Matrix.sum(acc) - correction;
        }
    }


    @Override
    void dequantize(int row, float[] w) {
        int lanes = F.length();
        int base = (int) ((long) row * cols / 2);
        for (int b = 0; b < blocks; b++) {
            FloatVector scale = FloatVector.broadcast(F, scale(row, b));
            for (int k = 0; k < BLOCK / 2; k += lanes) {
                int c = b * BLOCK + k;
                ByteVector v = bytesAt(base + b * (BLOCK / 2) + k);
                low(v).sub(8f).mul(scale).intoArray(w, c);
                high(v).sub(8f).mul(scale).intoArray(w, c + BLOCK / 2);
            }
        }
    }
}
