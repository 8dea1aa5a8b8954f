package dev.allinone.engine.text;

import java.util.List;

/**
 * Finds stop sequences in generated text and holds back text that might be the start of one, so a streaming
 * client never sees part of a stop sequence.
 */
public final class StopSequenceFilter {

    private final List<String> stops;
    private final int longest;
    private final StringBuilder text = new StringBuilder();
    /** Characters of {@link #text} already released. */
    private int released;
    private boolean stopped;

    public StopSequenceFilter(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.longest = this.stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds generated text; returns what can be released now. After a stop sequence, nothing more. */
    public String offer(String delta) {
        if (stopped || delta.isEmpty()) {
            return "";
        }
        int searchFrom = Math.max(0, text.length() - longest + 1);
        text.append(delta);
        int stopAt = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, searchFrom);
            if (at >= 0 && (stopAt < 0 || at < stopAt)) {
                stopAt = at;
            }
        }
        if (stopAt >= 0) {
            stopped = true;
            return release(stopAt);
        }
        return release(text.length() - heldBack());
    }

    public boolean stopped() {
        return stopped;
    }

    /** The rest, at the end of generation. */
    public String finish() {
        return stopped ? "" : release(text.length());
    }

    /** All text released so far: the answer. */
    public String released() {
        return text.substring(0, released);
    }

    /** Length of the longest suffix of the text that is a proper prefix of a stop sequence. */
    private int heldBack() {
        for (int n = Math.min(longest - 1, text.length() - released); n > 0; n--) {
            int from = text.length() - n;
            for (String stop : stops) {
                if (stop.length() > n && startsAt(from, stop, n)) {
                    return n;
                }
            }
        }
        return 0;
    }

    /** Whether the text from {@code from} equals the first {@code n} characters of {@code stop}. */
    private boolean startsAt(int from, String stop, int n) {
        for (int i = 0; i < n; i++) {
            if (text.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String release(int end) {
        // Never end between the two halves of a surrogate pair (emoji).
        if (end > released && end < text.length() && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        if (end <= released) {
            return "";
        }
        String out = text.substring(released, end);
        released = end;
        return out;
    }
}
