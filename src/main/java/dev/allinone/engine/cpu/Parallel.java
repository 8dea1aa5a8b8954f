package dev.allinone.engine.cpu;

import java.util.concurrent.locks.LockSupport;

/**
 * Splits a product's rows between the calling thread and a few helper threads that stay with the model. A
 * token's forward pass hands out ~150 products of tens of microseconds each, so the handoff must cost far
 * less: no executor, no task objects queued — each helper spins on a volatile counter for a while after its
 * last part (the next product follows within microseconds) and parks only when the model goes idle.
 */
final class Parallel implements AutoCloseable {

    /** A part of a product: the rows {@code [from, to)}. */
    @FunctionalInterface
    interface Rows {
        void run(int from, int to);
    }

    /** How long an idle helper spins before it parks. */
    private static final long SPIN_NANOS = 200_000;

    private final Helper[] helpers;
    private volatile boolean open = true;

    Parallel(int threads) {
        helpers = new Helper[Math.max(0, threads - 1)];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper();
            Thread thread = Thread.ofPlatform().daemon().name("allinone-kernel-" + (i + 1)).unstarted(helpers[i]);
            helpers[i].thread = thread;
            thread.start();
        }
    }

    int threads() {
        return helpers.length + 1;
    }

    /** Runs {@code task} over the rows {@code [0, rows)}, split evenly; returns when every part is done. */
    void rows(int rows, Rows task) {
        if (!open) {
            throw new IllegalStateException("The model has been closed"); // its helpers are gone: nothing would run
        }
        int parts = Math.min(threads(), Math.max(1, rows / 8));
        if (parts == 1) {
            task.run(0, rows);
            return;
        }
        for (int i = 1; i < parts; i++) {
            helpers[i - 1].start(task, split(rows, parts, i), split(rows, parts, i + 1));
        }
        Throwable failure = null;
        try {
            task.run(0, split(rows, parts, 1));
        } catch (Throwable t) {
            failure = t;
        }
        for (int i = 1; i < parts; i++) {
            Throwable helperFailure = helpers[i - 1].await();
            if (failure == null) {
                failure = helperFailure;
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        } else if (failure instanceof Error e) {
            throw e;
        } else if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Part boundaries on multiples of four rows, so that four-row kernels keep their panels (speed only). */
    private static int split(int rows, int parts, int i) {
        if (i >= parts) {
            return rows;
        }
        return (int) ((long) rows * i / parts) & ~3;
    }

    @Override
    public void close() {
        open = false;
        for (Helper h : helpers) {
            LockSupport.unpark(h.thread);
        }
    }

    private final class Helper implements Runnable {
        Thread thread;
        private Rows task;
        private int from;
        private int to;
        private Throwable failure;
        /** Incremented by the caller to hand out a part; the helper sets {@code done} to it when finished. */
        private volatile long handed;
        private volatile long done;
        private volatile boolean parked;

        void start(Rows task, int from, int to) {
            this.task = task;
            this.from = from;
            this.to = to;
            this.failure = null;
            handed = handed + 1; // volatile write publishes the fields above
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        Throwable await() {
            long target = handed;
            while (done != target) {
                Thread.onSpinWait();
            }
            return failure;
        }

        @Override
        public void run() {
            long seen = 0;
            while (open) {
                long idleSince = System.nanoTime();
                int spins = 0;
                while (handed == seen && open) {
                    Thread.onSpinWait();
                    if ((++spins & 1023) == 0 && System.nanoTime() - idleSince > SPIN_NANOS) {
                        parked = true;
                        if (handed == seen && open) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        idleSince = System.nanoTime();
                    }
                }
                if (!open) {
                    return;
                }
                seen = handed;
                try {
                    task.run(from, to);
                } catch (Throwable t) {
                    failure = t;
                }
                task = null;
                done = seen;
            }
        }
    }
}
