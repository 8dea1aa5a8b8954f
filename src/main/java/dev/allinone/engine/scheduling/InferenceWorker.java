package dev.allinone.engine.scheduling;

import dev.allinone.engine.api.DeadlineExceededException;
import dev.allinone.engine.api.EngineBusyException;
import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.kvcache.AttentionMemoryException;
import dev.allinone.engine.transformer.Segment;
import dev.allinone.engine.transformer.Transformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that runs the model, as a loop of steps (continuous batching). A {@link Transformer} is not
 * thread-safe, so every use of it goes through here. Each step is one forward pass over the rows of every
 * sequence in the batch ({@link BatchPlan}): a row per answer being generated, a chunk of a prompt being read,
 * answers being scored. A request joins the batch at the next step, and leaves it as soon as it is done,
 * cancelled or past its deadline; the others go on untouched.
 *
 * <p>Admission is per request: it joins at once when the batch has room; otherwise it waits, and at most
 * {@code queueCapacity} requests may wait for a place; one more is refused at once. Requests join in arrival
 * order, and a request that already had its turn (a support turn labels the message, then answers it) goes
 * before the ones still waiting, so an admitted request is never refused halfway. A request that waited longer
 * than {@code queueTimeout}, or is past its deadline or cancelled when its place comes, is dropped without
 * touching the model. One whose attention state (KV cache) does not fit while others run waits for them to
 * leave; one that does not fit at all is refused. The worker owns the transformer and closes it last.
 */
public final class InferenceWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

    /** Opens a request's sequence on the inference thread when it gets its place (its KV cache is taken then). */
    @FunctionalInterface
    public interface Opening<T> {
        Sequence<T> open(Transformer transformer);
    }

    private final Transformer transformer;
    private final Runnable beforeModelClose;
    private final BatchPlan plan;
    private final int queueCapacity;
    private final long queueTimeoutNanos;
    private final EngineObserver observer;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Requests waiting for a place in the batch, follow-ups first. Guarded by {@code this}. */
    private final Deque<Request<?>> waiting = new ArrayDeque<>();
    /** Waiting requests that are newcomers (follow-ups of admitted requests not counted). Guarded by {@code this}. */
    private int waitingRequests;
    /** The batch: touched by the inference thread only. */
    private final List<Request<?>> active = new ArrayList<>();
    private volatile int activeCount;
    /** Requests taken from the queue and being opened: not in the batch yet, not waiting either (guarded by this). */
    private int beingOpened;
    private boolean accepting = true;
    private boolean ended;
    private volatile boolean closing;

    /**
     * @param beforeModelClose run when the thread is idle for good, before the model is freed (to free what
     *                         holds model memory, such as kept KV caches)
     */
    public InferenceWorker(Transformer transformer, Runnable beforeModelClose, BatchPlan plan, int queueCapacity,
                           Duration queueTimeout, EngineObserver observer) {
        this.transformer = transformer;
        this.beforeModelClose = beforeModelClose;
        this.plan = plan;
        this.queueCapacity = queueCapacity;
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.observer = observer;
        this.thread = new Thread(this::serve, "allinone-inference");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a request. Refused at once with {@link EngineBusyException} when the batch is full and
     * {@code queueCapacity} requests already wait. Cancelling the returned future before the request gets its
     * place skips it; a running sequence stops when it checks {@link #closing()} or the request's control.
     */
    public <T> CompletableFuture<T> submit(RequestControl control, Opening<T> opening) {
        Request<T> request;
        synchronized (this) {
            boolean followUp = control.admitted();
            // While closing, admitted requests may finish their turn; new ones are refused.
            if (closing || (!accepting && !followUp)) {
                observer.rejected("shutting_down");
                return CompletableFuture.failedFuture(shuttingDown());
            }
            int places = plan.maxSequences() - activeCount - beingOpened;
            if (!followUp && waiting.size() - places >= queueCapacity) {
                observer.rejected("queue_full");
                return CompletableFuture.failedFuture(new EngineBusyException(EngineBusyException.Reason.QUEUE_FULL,
                        "The model is busy: " + waitingRequests + " requests are already waiting"));
            }
            request = new Request<>(control, opening, followUp);
            if (followUp) {
                waiting.addFirst(request);
            } else {
                control.admit();
                waitingRequests++;
                waiting.addLast(request);
            }
            notifyAll();
        }
        return request.result;
    }

    private void serve() {
        try {
            while (true) {
                admit();
                if (active.isEmpty()) {
                    synchronized (this) {
                        while (waiting.isEmpty() && !ended) {
                            wait();
                        }
                        if (waiting.isEmpty()) {
                            return; // ended, and nothing left
                        }
                    }
                    continue;
                }
                step();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            active.forEach(r -> r.fail(shuttingDown()));
            stopped.countDown();
        }
    }

    /** Gives free places in the batch to waiting requests, in order. */
    private void admit() {
        while (active.size() < plan.maxSequences()) {
            Request<?> request;
            synchronized (this) {
                request = waiting.pollFirst();
                if (request == null) {
                    return;
                }
                if (!request.followUp) {
                    waitingRequests--;
                }
                // Its place is taken while it opens (prompt, attention memory): a request submitted meanwhile
                // counts it, and is refused when the queue behind it is full.
                beingOpened++;
            }
            try {
                if (request.ready()) {
                    try {
                        request.open(transformer);
                    } catch (AttentionMemoryException e) {
                        if (!e.neverFits() && !active.isEmpty()) {
                            putBack(request); // waits for running requests to leave and free their memory
                            return;
                        }
                        request.result.completeExceptionally(e);
                        continue;
                    } catch (Throwable e) {
                        request.result.completeExceptionally(e);
                        continue;
                    }
                    active.add(request);
                    activeCount = active.size();
                }
            } finally {
                synchronized (this) {
                    beingOpened--;
                }
            }
        }
    }

    private synchronized void putBack(Request<?> request) {
        waiting.addFirst(request);
        if (!request.followUp) {
            waitingRequests++;
        }
    }

    /** One forward pass over every sequence of the batch; those that are done leave it. */
    private void step() {
        List<Segment> segments = new ArrayList<>(active.size());
        List<Request<?>> stepping = new ArrayList<>(active.size());
        int remaining = plan.stepTokens();
        for (int i = 0; i < active.size(); i++) {
            Request<?> request = active.get(i);
            // Every sequence after this one keeps at least one token of the budget: an answer being generated is
            // never held up by a long prompt for more than one chunk.
            int budget = Math.max(1, remaining - (active.size() - 1 - i));
            Segment segment;
            try {
                segment = request.sequence.next(budget);
            } catch (Throwable e) {
                request.fail(e);
                continue;
            }
            if (segment == null) {
                request.complete();
                continue;
            }
            segments.add(segment);
            stepping.add(request);
            remaining -= segment.tokens().length;
        }
        active.removeIf(r -> r.result.isDone() && !stepping.contains(r));
        activeCount = active.size();
        if (segments.isEmpty()) {
            return;
        }
        long begin = System.nanoTime();
        List<float[][]> logits;
        try {
            logits = transformer.step(segments);
        } catch (Throwable e) {
            log.warn("A model step over {} sequences failed; their requests fail", segments.size(), e);
            stepping.forEach(r -> r.fail(e));
            active.removeAll(stepping);
            activeCount = active.size();
            return;
        }
        int tokens = segments.stream().mapToInt(s -> s.tokens().length).sum();
        observer.stepped(segments.size(), tokens, System.nanoTime() - begin);
        for (int i = 0; i < stepping.size(); i++) {
            Request<?> request = stepping.get(i);
            try {
                request.sequence.accept(logits.get(i));
            } catch (Throwable e) {
                // Out of the batch before its caller hears of the failure.
                active.remove(request);
                activeCount = active.size();
                request.fail(e);
            }
        }
        activeCount = active.size();
    }

    private final class Request<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final RequestControl control;
        final Opening<T> opening;
        final boolean followUp;
        final long queuedAt = System.nanoTime();
        Sequence<T> sequence;

        Request(RequestControl control, Opening<T> opening, boolean followUp) {
            this.control = control;
            this.opening = opening;
            this.followUp = followUp;
        }

        /** Whether the request may still start; if not, its future is completed with the reason. */
        boolean ready() {
            if (result.isDone()) {
                return false; // cancelled while it waited
            }
            if (control.cancelled()) {
                result.cancel(false);
                return false;
            }
            if (control.expired()) {
                observer.rejected("deadline");
                result.completeExceptionally(new DeadlineExceededException(
                        "The request's deadline passed while it waited for the model"));
                return false;
            }
            long waited = System.nanoTime() - queuedAt;
            if (!followUp && waited > queueTimeoutNanos) {
                observer.rejected("queue_timeout");
                result.completeExceptionally(new EngineBusyException(EngineBusyException.Reason.QUEUE_TIMEOUT,
                        "The request waited " + waited / 1_000_000 + " ms for the model, longer than allowed"));
                return false;
            }
            return true;
        }

        void open(Transformer transformer) {
            sequence = opening.open(transformer);
            observer.started(System.nanoTime() - queuedAt);
        }

        void complete() {
            try {
                result.complete(sequence.finish());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }

        void fail(Throwable e) {
            try {
                sequence.discard();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            result.completeExceptionally(e);
        }

        void refuse() {
            result.completeExceptionally(shuttingDown());
        }
    }

    private static EngineBusyException shuttingDown() {
        return new EngineBusyException(EngineBusyException.Reason.SHUTTING_DOWN, "The service is shutting down");
    }

    /** True once {@link #close} gave up waiting: running sequences stop at the next step. */
    public boolean closing() {
        return closing;
    }

    /** Requests waiting for a place in the batch. */
    public synchronized int waiting() {
        return waitingRequests;
    }

    /** Sequences in the batch now. */
    public int active() {
        return activeCount;
    }

    /** KV caches not yet closed. */
    public int openCaches() {
        return transformer.openCaches();
    }

    /**
     * Stops taking requests, lets waiting and running ones finish for up to {@code grace}, then stops what still
     * runs and refuses what still waits. The model is freed only once the thread is idle: freeing it under a
     * running step crashes the JVM.
     */
    public void close(Duration grace) {
        synchronized (this) {
            if (!accepting) {
                return;
            }
            accepting = false;
            ended = true;
            notifyAll();
        }
        try {
            if (!stopped.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                List<Request<?>> dropped;
                synchronized (this) {
                    closing = true;
                    dropped = new ArrayList<>(waiting);
                    waiting.clear();
                    waitingRequests = 0;
                    notifyAll();
                }
                dropped.forEach(Request::refuse);
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
