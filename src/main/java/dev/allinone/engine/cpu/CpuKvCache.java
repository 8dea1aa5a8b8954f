package dev.allinone.engine.cpu;

import dev.allinone.engine.transformer.KvCache;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keys and values of one sequence in 16 bits (bfloat16, the upper half of a float: half the memory of floats,
 * and attention reads half the bytes), in pages of {@value #PAGE} positions, one page per layer, allocated as
 * positions are written and dropped together when the cache is closed.
 *
 * <p>A page is an {@code int[]} of {@value #PAGE} keys and then {@value #PAGE} values; each key or value is
 * {@code kvSize / 2} ints, head after head, and int {@code j} of a head holds its elements {@code j} (low half)
 * and {@code j + headSize / 2} (high half): the two halves that rotary embeddings pair, which {@link Attention}
 * unpacks with a shift and a mask, no conversion instruction. A page is 128 KB at Qwen1.5-0.5B's shape, small
 * enough for the garbage collector to treat as an ordinary object.
 */
final class CpuKvCache implements KvCache {

    static final int PAGE = 32;

    private final int layers;
    private final int headSize;
    /** Ints per position's key (or value). */
    private final int stride;
    private final AtomicInteger openCaches;
    /** Page {@code p} of layer {@code l} is {@code pages[p * layers + l]}. */
    private int[][] pages;
    private int allocatedPages;
    private int positions;
    private boolean closed;

    CpuKvCache(int layers, int kvSize, int headSize, AtomicInteger openCaches) {
        this.layers = layers;
        this.headSize = headSize;
        this.stride = kvSize / 2;
        this.openCaches = openCaches;
        this.pages = new int[4 * layers][];
        openCaches.incrementAndGet();
    }

    /** Bytes a cache holding {@code positions} positions takes (whole pages). */
    static long bytes(int positions, int layers, int kvSize) {
        long pagesNeeded = (positions + PAGE - 1) / PAGE;
        return pagesNeeded * layers * (4L * 2 * PAGE * (kvSize / 2));
    }

    /** The page holding {@code layer} at {@code position}, allocated (with every layer's) when first written. */
    int[] page(int layer, int position) {
        if (closed) {
            throw new IllegalStateException("KV cache already closed");
        }
        int p = position / PAGE;
        while (p >= allocatedPages) {
            if ((allocatedPages + 1) * layers > pages.length) {
                pages = Arrays.copyOf(pages, pages.length * 2);
            }
            for (int l = 0; l < layers; l++) {
                pages[allocatedPages * layers + l] = new int[2 * PAGE * stride];
            }
            allocatedPages++;
        }
        return pages[p * layers + layer];
    }

    /** Index in its page of the key ({@code value} false) or value at {@code position}. */
    int offset(boolean value, int position) {
        return ((value ? PAGE : 0) + position % PAGE) * stride;
    }

    /** Stores the key and value at {@code position} of {@code layer}, rounded to bfloat16. */
    void store(int layer, int position, float[] key, float[] value) {
        int[] page = page(layer, position);
        pack(key, page, offset(false, position));
        pack(value, page, offset(true, position));
    }

    private void pack(float[] x, int[] page, int at) {
        int half = headSize / 2;
        for (int head = 0; head < x.length / headSize; head++) {
            int from = head * headSize, to = at + head * half;
            for (int j = 0; j < half; j++) {
                page[to + j] = bf16(x[from + j]) | bf16(x[from + half + j]) << 16;
            }
        }
    }

    /** The bfloat16 nearest to {@code f} (ties to even), in the low 16 bits. */
    static int bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
    }

    /** Copies positions {@code [0, length)} of every layer from {@code source}. */
    void copyFrom(CpuKvCache source, int length) {
        for (int position = 0; position < length; position += PAGE) {
            for (int layer = 0; layer < layers; layer++) {
                int[] from = source.page(layer, position);
                System.arraycopy(from, 0, page(layer, position), 0, from.length);
            }
        }
        wrote(length);
    }

    void wrote(int end) {
        positions = Math.max(positions, end);
    }

    @Override
    public int positions() {
        return positions;
    }

    @Override
    public long bytes() {
        return closed ? 0 : (long) allocatedPages * layers * 4L * 2 * PAGE * stride;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pages = null;
            openCaches.decrementAndGet();
        }
    }
}
