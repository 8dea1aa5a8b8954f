package dev.allinone.engine.cpu;

import dev.allinone.engine.KvCache;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keys and values of one sequence, in pages of {@value #PAGE} positions of every layer, allocated as positions
 * are written and dropped together when the cache is closed. Within a page: layer, then keys or values, then
 * position, then the {@code kvSize} floats — so attention reads each head's keys as short contiguous runs.
 */
final class CpuKvCache implements KvCache {

    static final int PAGE = 32;

    private final int layers;
    private final int kvSize;
    private final AtomicInteger openCaches;
    private float[][] pages = new float[4][];
    private int allocated;
    private int positions;
    private boolean closed;

    CpuKvCache(int layers, int kvSize, AtomicInteger openCaches) {
        this.layers = layers;
        this.kvSize = kvSize;
        this.openCaches = openCaches;
        openCaches.incrementAndGet();
    }

    /** The page of {@code position}, allocated when first written. */
    float[] page(int position) {
        if (closed) {
            throw new IllegalStateException("KV cache already closed");
        }
        int p = position / PAGE;
        while (p >= allocated) {
            if (allocated == pages.length) {
                pages = Arrays.copyOf(pages, pages.length * 2);
            }
            pages[allocated++] = new float[layers * 2 * PAGE * kvSize];
        }
        return pages[p];
    }

    /** Index of the keys ({@code value} false) or values of {@code layer} at {@code position} in its page. */
    int offset(int layer, boolean value, int position) {
        return ((layer * 2 + (value ? 1 : 0)) * PAGE + position % PAGE) * kvSize;
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
        return closed ? 0 : 4L * allocated * layers * 2 * PAGE * kvSize;
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
