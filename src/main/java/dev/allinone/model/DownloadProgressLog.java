package dev.allinone.model;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * Reports a download in the log (file, bytes, percent, rate; at most every few seconds per file) and in the
 * {@link ModelStatus}.
 */
final class DownloadProgressLog implements HuggingFaceHub.Listener {

    private static final Logger log = LoggerFactory.getLogger(DownloadProgressLog.class);
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;

    private final String modelId;
    private final ModelStatus status;
    private long totalBytes;
    private long finishedBytes;
    private long fileStart;
    private long lastLog;

    DownloadProgressLog(String modelId, ModelStatus status) {
        this.modelId = modelId;
        this.status = status;
    }

    @Override
    public void started(List<HuggingFaceHub.RemoteFile> files) {
        totalBytes = files.stream().allMatch(f -> f.size() >= 0)
                ? files.stream().mapToLong(HuggingFaceHub.RemoteFile::size).sum() : -1;
        log.info("Downloading {}: {} files, {}", modelId, files.size(), totalBytes >= 0 ? bytes(totalBytes) : "size unknown");
        fileStart = System.nanoTime();
        lastLog = fileStart;
    }

    @Override
    public void progress(HuggingFaceHub.RemoteFile file, long bytesDone) {
        long now = System.nanoTime();
        status.downloading(file.name(), finishedBytes + bytesDone, totalBytes);
        if (now - lastLog >= LOG_EVERY_NANOS) {
            lastLog = now;
            log.info("Downloading {}: {} {} of {}{}, {}/s", modelId, file.name(), bytes(bytesDone),
                    file.size() >= 0 ? bytes(file.size()) : "?",
                    file.size() > 0 ? String.format(Locale.ROOT, " (%.1f%%)", 100.0 * bytesDone / file.size()) : "",
                    bytes((long) (bytesDone / Math.max(1e-9, (now - fileStart) / 1e9))));
        }
    }

    @Override
    public void finished(HuggingFaceHub.RemoteFile file) {
        long now = System.nanoTime();
        finishedBytes += Math.max(0, file.size());
        log.info("Downloaded {}: {} ({}, {}/s){}", modelId, file.name(), bytes(Math.max(0, file.size())),
                bytes((long) (Math.max(0, file.size()) / Math.max(1e-9, (now - fileStart) / 1e9))),
                totalBytes > 0 ? String.format(Locale.ROOT, "; %.1f%% of %s done", 100.0 * finishedBytes / totalBytes,
                        bytes(totalBytes)) : "");
        fileStart = now;
        lastLog = now;
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
