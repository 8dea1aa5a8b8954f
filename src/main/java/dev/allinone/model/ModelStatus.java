package dev.allinone.model;

/**
 * Where getting the model ready stands, for logs, error messages and health checks. Written by the one thread
 * that prepares the model, read by any.
 */
public final class ModelStatus {

    public enum Phase { PENDING, DOWNLOADING, LOADING, READY, FAILED, STOPPED }

    /** A consistent view of the status. {@code bytesTotal} is -1 when unknown. */
    public record Snapshot(Phase phase, String detail, long bytesDone, long bytesTotal) {

        /** Share of the download done, 0..100, or -1 when not downloading or the size is unknown. */
        public double percent() {
            return bytesTotal > 0 ? 100.0 * bytesDone / bytesTotal : -1;
        }
    }

    private volatile Snapshot snapshot = new Snapshot(Phase.PENDING, "waiting to start", 0, -1);

    public Snapshot snapshot() {
        return snapshot;
    }

    public Phase phase() {
        return snapshot.phase();
    }

    public void set(Phase phase, String detail) {
        snapshot = new Snapshot(phase, detail, 0, -1);
    }

    void downloading(String detail, long bytesDone, long bytesTotal) {
        snapshot = new Snapshot(Phase.DOWNLOADING, detail, bytesDone, bytesTotal);
    }
}
