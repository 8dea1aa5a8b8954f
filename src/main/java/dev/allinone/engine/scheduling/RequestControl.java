package dev.allinone.engine.scheduling;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's deadline and cancellation, as the engine sees them. The web layer opens one per HTTP request;
 * the chat models pick it up from the calling thread (LangChain4j's AI services call them on that thread),
 * so the engine can stop a generation within one token when the deadline passes or the client goes away,
 * and skip a request that is still queued by then.
 */
public final class RequestControl {

    private static final ThreadLocal<RequestControl> CURRENT = new ThreadLocal<>();

    private final long deadlineNanos;
    private final boolean hasDeadline;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile boolean admitted;

    private RequestControl(long deadlineNanos, boolean hasDeadline) {
        this.deadlineNanos = deadlineNanos;
        this.hasDeadline = hasDeadline;
    }

    /** No deadline; cancellable. */
    public static RequestControl unlimited() {
        return new RequestControl(0, false);
    }

    public static RequestControl withTimeout(Duration timeout) {
        return new RequestControl(System.nanoTime() + timeout.toNanos(), true);
    }

    /** The control of the request this thread serves, or an unlimited one. */
    public static RequestControl current() {
        RequestControl c = CURRENT.get();
        return c != null ? c : unlimited();
    }

    /** Makes this the thread's current control until the scope is closed. */
    public Scope bind() {
        RequestControl previous = CURRENT.get();
        CURRENT.set(this);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Restores the thread's previous control. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether the request already had a turn on the model: its next task is a follow-up, not a newcomer. */
    boolean admitted() {
        return admitted;
    }

    void admit() {
        admitted = true;
    }

    public void cancel() {
        cancelled.set(true);
    }

    public boolean cancelled() {
        return cancelled.get();
    }

    public boolean expired() {
        return hasDeadline && System.nanoTime() - deadlineNanos >= 0;
    }

    /** Stop now: cancelled or past the deadline. */
    public boolean stop() {
        return cancelled() || expired();
    }

    /** Nanoseconds left, or {@link Long#MAX_VALUE} without a deadline; never negative. */
    public long remainingNanos() {
        return hasDeadline ? Math.max(0, deadlineNanos - System.nanoTime()) : Long.MAX_VALUE;
    }
}
