package dev.allinone.engine.kvcache;

/**
 * A request's attention state does not fit in what the memory budget leaves, checked before the request starts
 * (never an {@link OutOfMemoryError} halfway). {@link #neverFits()}: larger than the whole share of the budget
 * for attention state, so asking again will not help; otherwise other running requests hold the memory.
 */
public class AttentionMemoryException extends RuntimeException {

    private final long neededBytes;
    private final long availableBytes;
    private final boolean neverFits;

    public AttentionMemoryException(long neededBytes, long availableBytes, boolean neverFits) {
        super("The request needs " + ModelMemory.mb(neededBytes) + " of attention memory (KV cache); "
                + (neverFits ? "the memory budget leaves at most " : "only ") + ModelMemory.mb(availableBytes)
                + (neverFits ? " for it" : " is free while other requests run"));
        this.neededBytes = neededBytes;
        this.availableBytes = availableBytes;
        this.neverFits = neverFits;
    }

    public long neededBytes() {
        return neededBytes;
    }

    public long availableBytes() {
        return availableBytes;
    }

    public boolean neverFits() {
        return neverFits;
    }
}
