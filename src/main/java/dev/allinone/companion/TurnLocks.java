package dev.allinone.companion;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One turn at a time per conversation, in this process: two requests to one conversation take turns instead
 * of interleaving. Semaphores rather than locks, because a streamed turn ends on another thread than the one
 * that began it; a conversation's entry lives only while someone holds or waits for it.
 */
final class TurnLocks {

    private static final class Entry {
        final Semaphore turn = new Semaphore(1, true);
        int users;
    }

    private final Map<String, Entry> entries = new HashMap<>();

    /**
     * Takes the conversation's turn, waiting at most {@code waitNanos} ({@code Long.MAX_VALUE}: as long as it
     * takes). Returns the action that gives it back, or null when the wait ran out.
     */
    Runnable acquire(String id, long waitNanos) throws InterruptedException {
        Entry entry;
        synchronized (this) {
            entry = entries.computeIfAbsent(id, i -> new Entry());
            entry.users++;
        }
        boolean acquired = false;
        try {
            if (waitNanos == Long.MAX_VALUE) {
                entry.turn.acquire();
                acquired = true;
            } else {
                acquired = entry.turn.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
            }
        } finally {
            if (!acquired) {
                leave(id, entry);
            }
        }
        if (!acquired) {
            return null;
        }
        return new Runnable() {
            private boolean released;

            @Override
            public synchronized void run() {
                if (!released) {
                    released = true;
                    entry.turn.release();
                    leave(id, entry);
                }
            }
        };
    }

    private synchronized void leave(String id, Entry entry) {
        if (--entry.users == 0) {
            entries.remove(id, entry);
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
