package dev.allinone.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one thread that runs the model. Jlama's model is not thread-safe (two generations at once crashed the
 * JVM), so every use of the {@link Transformer} goes through here, one task at a time, in the order the tasks
 * were submitted. The worker owns the transformer and closes it last.
 */
public final class InferenceWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

    private final Transformer transformer;
    private final Runnable beforeModelClose;
    private final ThreadPoolExecutor thread;
    private volatile boolean closing;

    /**
     * @param beforeModelClose run when the thread is idle for good, before the model is freed (to free what
     *                         holds model memory, such as kept KV caches)
     */
    public InferenceWorker(Transformer transformer, Runnable beforeModelClose) {
        this.transformer = transformer;
        this.beforeModelClose = beforeModelClose;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "allinone-inference");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues {@code task}. Cancelling the returned future before the task starts skips it; a running task
     * stops when it checks {@link #closing()} or its own cancellation.
     */
    public <T> CompletableFuture<T> submit(Function<Transformer, T> task) {
        Task<T> queued = new Task<>(task);
        try {
            thread.execute(queued);
        } catch (RejectedExecutionException e) {
            queued.result.completeExceptionally(new ModelNotReadyException("The model is shutting down"));
        }
        return queued.result;
    }

    private final class Task<T> implements Runnable {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Function<Transformer, T> work;

        Task(Function<Transformer, T> work) {
            this.work = work;
        }

        @Override
        public void run() {
            if (result.isDone()) {
                return; // cancelled while it waited
            }
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
     * runs. The model is freed only once the thread is idle: freeing it under a running task crashes the JVM.
     */
    public void close(Duration grace) {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                closing = true;
                List<Runnable> dropped = new ArrayList<>();
                thread.getQueue().drainTo(dropped);
                for (Runnable r : dropped) {
                    ((Task<?>) r).result.completeExceptionally(new ModelNotReadyException("The model is shutting down"));
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
        beforeModelClose.run();
        transformer.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
