package dev.allinone.conversation;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Fails fast while a store is down. One failed call opens the circuit: for {@code openFor}, every call fails at
 * once with {@link ConversationStoreException} (the API answers 503 with Retry-After) instead of each waiting for
 * the client's own timeout while holding a request thread; after it, calls go through again, and the first that
 * succeeds means the store is back. The readiness probe goes through here too, so it answers at once as well.
 */
final class StoreCircuit {

    private final String store;
    private final long openNanos;
    /** When the circuit closes again ({@link System#nanoTime()}); in the past while it is closed. */
    private volatile long openUntil = System.nanoTime();
    private volatile String lastFailure;

    StoreCircuit(String store, Duration openFor) {
        this.store = store;
        this.openNanos = openFor.toNanos();
    }

    <T> T call(Supplier<T> operation) {
        if (System.nanoTime() - openUntil < 0) {
            throw new ConversationStoreException("The conversation store (" + store + ") is unavailable: " + lastFailure
                    + " (not tried again for a few seconds)", null);
        }
        try {
            return operation.get();
        } catch (ConversationStoreException e) {
            lastFailure = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            openUntil = System.nanoTime() + openNanos;
            throw e;
        }
    }
}
