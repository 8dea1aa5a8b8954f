package dev.allinone.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one thread that runs the model. Jlama's model is not thread-safe (two generations at once crashed the
 * JVM), so every use of the {@link Transformer} goes through here, one task at a time, in the order the tasks
 * were submitted. The worker owns the transformer and closes it last.
 *
 * <p>Admission: at most {@code queueCapacity} tasks wait; one more is refused at once. A task that waited
 * longer than {@code queueTimeout}, or whose request is past its deadline or cancelled by the time its turn
 * comes, is dropped without touching the model, so the next one starts at once.
 */
public final class InferenceWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

    private final Transformer transformer;
    private final Runnable beforeModelClose;
    private final long queueTimeoutNanos;
    private final EngineObserver observer;
    private final ThreadPoolExecutor thread;
    private volatile boolean closing;

    /**
     * @param beforeModelClose run when the thread is idle for good, before the model is freed (to free what
     *                         holds model memory, such as kept KV caches)
     */
    public InferenceWorker(Transformer transformer, Runnable beforeModelClose, int queueCapacity, Duration queueTimeout,
                           EngineObserver observer) {
        this.transformer = transformer;
        this.beforeModelClose = beforeModelClose;
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.observer = observer;
        // Capacity 0: no waiting at all, a request is refused whenever the model is taken.
        BlockingQueue<Runnable> queue = queueCapacity > 0 ? new ArrayBlockingQueue<>(queueCapacity) : new SynchronousQueue<>();
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, queue, r -> {
            Thread t = new Thread(r, "allinone-inference");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues {@code task} for a request. Refused at once with {@link EngineBusyException} when the queue is
     * full. Cancelling the returned future before the task starts skips it; a running task stops when it
     * checks {@link #closing()} or the request's control.
     */
    public <T> CompletableFuture<T> submit(RequestControl control, Function<Transformer, T> task) {
        Task<T> queued = new Task<>(control, task);
        if (closing || thread.isShutdown()) {
            observer.rejected("shutting_down");
            queued.result.completeExceptionally(new EngineBusyException(EngineBusyException.Reason.SHUTTING_DOWN,
                    "The service is shutting down"));
            return queued.result;
        }
        try {
            thread.execute(queued);
        } catch (RejectedExecutionException e) {
            boolean full = !thread.isShutdown();
            observer.rejected(full ? "queue_full" : "shutting_down");
            queued.result.completeExceptionally(full
                    ? new EngineBusyException(EngineBusyException.Reason.QUEUE_FULL,
                            "The model is busy: " + thread.getQueue().size() + " requests are already waiting")
                    : new EngineBusyException(EngineBusyException.Reason.SHUTTING_DOWN, "The service is shutting down"));
        }
        return queued.result;
    }

    private final class Task<T> implements Runnable {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final RequestControl control;
        final Function<Transformer, T> work;
        final long queuedAt = System.nanoTime();

        Task(RequestControl control, Function<Transformer, T> work) {
            this.control = control;
            this.work = work;
        }

        @Override
        public void run() {
            if (result.isDone()) {
                return; // cancelled while it waited
            }
            long waited = System.nanoTime() - queuedAt;
            if (control.cancelled()) {
                result.cancel(false);
                return;
            }
            if (control.expired()) {
                observer.rejected("deadline");
                result.completeExceptionally(new DeadlineExceededException(
                        "The request's deadline passed while it waited for the model"));
                return;
            }
            if (waited > queueTimeoutNanos) {
                observer.rejected("queue_timeout");
                result.completeExceptionally(new EngineBusyException(EngineBusyException.Reason.QUEUE_TIMEOUT,
                        "The request waited " + waited / 1_000_000 + " ms for the model, longer than allowed"));
                return;
            }
            observer.started(waited);
            try {
                result.complete(work.apply(transformer));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }
    }

    /** True once {@link #close} began: running generations stop at the next token. */
    public boolean closing() {
        return closing;
    }

    /** Tasks waiting for the model (not counting the one running). */
    public int waiting() {
        return thread.getQueue().size();
    }

    /** KV caches not yet closed. */
    public int openCaches() {
        return transformer.openCaches();
    }

    /**
     * Stops taking tasks, lets queued and running ones finish for up to {@code grace}, then cancels what still
     * runs and refuses what still waits. The model is freed only once the thread is idle: freeing it under a
     * running task crashes the JVM.
     */
    public void close(Duration grace) {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                closing = true;
                List<Runnable> dropped = new ArrayList<>();
                thread.getQueue().drainTo(dropped);
                for (Runnable r : dropped) {
                    ((Task<?>) r).result.completeExceptionally(new EngineBusyException(
                            EngineBusyException.Reason.SHUTTING_DOWN, "The service is shutting down"));
                }
                if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                    log.error("The inference thread did not stop; leaving the model loaded");
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        closing = true;
        beforeModelClose.run();
        transformer.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
