package dev.allinone.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a prompt's system message ends, in tokens: the part every request of one AI service shares, which
 * the {@link KvCachePool} computes once. Remembered per system text, so the system message is tokenized
 * once, not per request.
 */
final class SystemPrefixes {

    private static final int REMEMBERED = 64;

    private final PromptEncoder prompts;
    private final Map<String, int[]> bySystemText = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
            return size() > REMEMBERED;
        }
    };

    SystemPrefixes(PromptEncoder prompts) {
        this.prompts = prompts;
    }

    /** Length of the system part of {@code prompt}, or 0 when it has none (or the template merges it). */
    int length(List<PromptEncoder.Message> messages, int[] prompt) {
        if (messages.isEmpty() || !messages.get(0).role().equals("system")) {
            return 0;
        }
        int[] system;
        synchronized (bySystemText) {
            system = bySystemText.computeIfAbsent(messages.get(0).content(),
                    text -> prompts.encode(List.of(messages.get(0)), false));
        }
        // Templates that fold the system text into the first user turn do not yield a shared prefix.
        return KvCachePool.commonPrefix(system, prompt) == system.length ? system.length : 0;
    }
}
