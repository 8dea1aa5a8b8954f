package dev.allinone.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median and 95th percentile of a few samples. */
final class Stats {

    private Stats() {
    }

    static double median(List<Double> samples) {
        return percentile(samples, 50);
    }

    static double p95(List<Double> samples) {
        return percentile(samples, 95);
    }

    /** Nearest-rank percentile. */
    static double percentile(List<Double> samples, double p) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** Resident set size of this process now and at its peak, in MB, from /proc (Linux). */
    static long[] rssMegabytes(long pid) {
        try {
            long rss = -1;
            long hwm = -1;
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
            return new long[] {rss, hwm};
        } catch (java.io.IOException e) {
            return new long[] {-1, -1};
        }
    }
}
