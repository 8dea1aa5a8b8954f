package dev.allinone.engine.scheduling;

import dev.allinone.engine.api.DeadlineExceededException;
import dev.allinone.engine.api.EngineBusyException;
import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.transformer.Transformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one thread that runs the model. A {@link Transformer} is not thread-safe (its KV caches, working buffers
 * and, for Jlama, its model: two generations at once crashed the JVM), so every use of it goes through here, one
 * task at a time. The worker owns the
 * transformer and closes it last.
 *
 * <p>Admission is per request: at most {@code queueCapacity} requests wait; one more is refused at once.
 * Requests are served in arrival order, and a request that already had its turn (a support turn labels the
 * message, then answers it: two model tasks) goes before the ones still waiting, so an admitted request is
 * never refused halfway. A request that waited longer than {@code queueTimeout}, or is past its deadline or
 * cancelled when its turn comes, is dropped without touching the model, so the next one starts at once.
 */
public final class InferenceWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

    private final Transformer transformer;
    private final Runnable beforeModelClose;
    private final int queueCapacity;
    private final long queueTimeoutNanos;
    private final EngineObserver observer;
    private final LinkedBlockingDeque<Task<?>> queue = new LinkedBlockingDeque<>();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Requests waiting for their first turn (follow-up tasks of admitted requests not counted). */
    private int waitingRequests;
    private boolean busy;
    private boolean accepting = true;
    private volatile boolean closing;

    /**
     * @param beforeModelClose run when the thread is idle for good, before the model is freed (to free what
     *                         holds model memory, such as kept KV caches)
     */
    public InferenceWorker(Transformer transformer, Runnable beforeModelClose, int queueCapacity, Duration queueTimeout,
                           EngineObserver observer) {
        this.transformer = transformer;
        this.beforeModelClose = beforeModelClose;
        this.queueCapacity = queueCapacity;
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.observer = observer;
        this.thread = new Thread(this::serve, "allinone-inference");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues {@code task} for a request. Refused at once with {@link EngineBusyException} when the queue is
     * full. Cancelling the returned future before the task starts skips it; a running task stops when it
     * checks {@link #closing()} or the request's control.
     */
    public <T> CompletableFuture<T> submit(RequestControl control, Function<Transformer, T> work) {
        Task<T> task;
        synchronized (this) {
            boolean followUp = control.admitted();
            // While closing, admitted requests may finish their turn; new ones are refused.
            if (closing || (!accepting && !followUp)) {
                observer.rejected("shutting_down");
                return CompletableFuture.failedFuture(new EngineBusyException(EngineBusyException.Reason.SHUTTING_DOWN,
                        "The service is shutting down"));
            }
            boolean idle = !busy && queue.isEmpty();
            if (!followUp && !idle && waitingRequests >= queueCapacity) {
                observer.rejected("queue_full");
                return CompletableFuture.failedFuture(new EngineBusyException(EngineBusyException.Reason.QUEUE_FULL,
                        "The model is busy: " + waitingRequests + " requests are already waiting"));
            }
            task = new Task<>(control, work, followUp);
            if (followUp) {
                queue.addFirst(task);
            } else {
                control.admit();
                waitingRequests++;
                queue.addLast(task);
            }
        }
        return task.result;
    }

    private void serve() {
        try {
            while (true) {
                Task<?> task = queue.take();
                if (task.isEnd()) {
                    return;
                }
                synchronized (this) {
                    if (!task.followUp) {
                        waitingRequests--;
                    }
                    busy = true;
                }
                try {
                    task.run();
                } finally {
                    synchronized (this) {
                        busy = false;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    private final class Task<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final RequestControl control;
        final Function<Transformer, T> work;
        final boolean followUp;
        final long queuedAt = System.nanoTime();

        Task(RequestControl control, Function<Transformer, T> work, boolean followUp) {
            this.control = control;
            this.work = work;
            this.followUp = followUp;
        }

        boolean isEnd() {
            return work == null;
        }

        void run() {
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
            if (!followUp && waited > queueTimeoutNanos) {
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

        void refuse() {
            result.completeExceptionally(new EngineBusyException(EngineBusyException.Reason.SHUTTING_DOWN,
                    "The service is shutting down"));
        }
    }

    /** True once {@link #close} gave up waiting: running generations stop at the next token. */
    public boolean closing() {
        return closing;
    }

    /** Requests waiting for the model (not counting the one running). */
    public synchronized int waiting() {
        return waitingRequests;
    }

    /** KV caches not yet closed. */
    public int openCaches() {
        return transformer.openCaches();
    }

    /**
     * Stops taking requests, lets queued and running ones finish for up to {@code grace}, then cancels what still
     * runs and refuses what still waits. The model is freed only once the thread is idle: freeing it under a
     * running task crashes the JVM.
     */
    public void close(Duration grace) {
        synchronized (this) {
            if (!accepting) {
                return;
            }
            accepting = false;
            queue.addLast(new Task<>(RequestControl.unlimited(), null, true)); // the end marker
        }
        try {
            if (!stopped.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                closing = true;
                List<Task<?>> dropped = new ArrayList<>();
                queue.drainTo(dropped);
                dropped.stream().filter(t -> !t.isEnd()).forEach(Task::refuse);
                queue.addLast(new Task<>(RequestControl.unlimited(), null, true));
                if (!stopped.await(30, TimeUnit.SECONDS)) {
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
