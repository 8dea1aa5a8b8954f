package dev.allinone.engine.kvcache;

import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.engine.text.RecentlyUsed;

import java.util.List;

/**
 * The part of a prompt every request of one AI service shares, in tokens, which the {@link KvCachePool}
 * computes once: the system message and the template text that opens the next message
 * ({@code <|im_start|>user\n} in ChatML). Found by rendering the system message followed by two different
 * one-letter messages and keeping what the two encodings have in common, so it works for any chat template;
 * remembered per system text.
 */
public final class SystemPrefixes {

    private static final int REMEMBERED = 64;

    private final PromptEncoder prompts;
    /** Per system text: the shared prefix with the next message's opening, and the system message alone. */
    private final RecentlyUsed<String, int[][]> bySystemText = new RecentlyUsed<>(REMEMBERED);

    public SystemPrefixes(PromptEncoder prompts) {
        this.prompts = prompts;
    }

    /** Length of the system part of {@code prompt}, or 0 when it has none (or the template merges it). */
    public int length(List<PromptEncoder.Message> messages, int[] prompt) {
        if (messages.isEmpty() || !messages.get(0).role().equals("system")) {
            return 0;
        }
        int[][] candidates = bySystemText.computeIfAbsent(messages.get(0).content(), text -> prefixes(messages.get(0)));
        // The longest candidate the prompt starts with: a message that begins with whitespace can merge with
        // the template's newline, and templates that fold the system text into the first turn share nothing.
        for (int[] candidate : candidates) {
            if (KvCachePool.commonPrefix(candidate, prompt) == candidate.length) {
                return candidate.length;
            }
        }
        return 0;
    }

    private int[][] prefixes(PromptEncoder.Message system) {
        int[] a = prompts.encode(List.of(system, new PromptEncoder.Message("user", "A")), false);
        int[] b = prompts.encode(List.of(system, new PromptEncoder.Message("user", "B")), false);
        int[] withOpening = java.util.Arrays.copyOf(a, KvCachePool.commonPrefix(a, b));
        int[] alone = prompts.encode(List.of(system), false);
        return new int[][] {withOpening, alone};
    }
}
