package dev.allinone.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps attention keys and values between requests, so a request computes only what follows the longest
 * prefix already computed. Two kinds of entries:
 *
 * <ul>
 *   <li><b>Prefixes</b>: a system prompt, computed once. Positions before its end are never written again,
 *   so a request that only reads (scoring answers) borrows the cache in place, and a request whose state is
 *   worth keeping gets a copy of those positions (a memory copy, far cheaper than computing them).</li>
 *   <li><b>Conversations</b>: the state after an answer, prompt and generated tokens. The next turn of the
 *   conversation extends that prompt, so it computes only the new message and the template's glue. A
 *   prompt that no longer extends it (the memory window dropped old messages) starts from the prefix.</li>
 * </ul>
 *
 * Entries are bounded by a byte budget, least recently used evicted first; evicting closes the cache, which
 * gives its memory back. Reuse is exact: every position holds what computing the whole prompt would have
 * put there. Used by the inference thread only; {@link #stats()} may be read from anywhere.
 */
final class KvCachePool implements AutoCloseable {

    /** How much of a request's prompt was already computed. */
    enum Reuse { CONVERSATION, PREFIX, NONE }

    /**
     * A cache lent to one request: positions {@code [0, start)} already hold the first {@code start} tokens of
     * its prompt.
     */
    static final class Lease {
        final KvCache cache;
        final int start;
        final Reuse reuse;
        private final Entry borrowedPrefix;
        private final Entry conversation;
        private final int promptLength;

        private Lease(KvCache cache, int start, Reuse reuse, Entry borrowedPrefix, Entry conversation, int promptLength) {
            this.cache = cache;
            this.start = start;
            this.reuse = reuse;
            this.borrowedPrefix = borrowedPrefix;
            this.conversation = conversation;
            this.promptLength = promptLength;
        }
    }

    private static final class Entry {
        final KvCache cache;
        final boolean prefix;
        /** Tokens whose keys and values fill positions [0, tokens.length). */
        int[] tokens;
        /** A conversation entry serves prompts that extend its first protectedLength tokens. */
        int protectedLength;
        long lastUsed;

        Entry(KvCache cache, boolean prefix, int[] tokens, int protectedLength) {
            this.cache = cache;
            this.prefix = prefix;
            this.tokens = tokens;
            this.protectedLength = protectedLength;
        }
    }

    /** Shorter system prompts are not worth an entry. */
    static final int MIN_PREFIX_TOKENS = 8;

    /**
     * A conversation entry serves a prompt that repeats its prompt but for this many final tokens: the
     * template's generation prompt ({@code <|im_start|>assistant\n}) can tokenize differently once the
     * answer's text follows it (a newline merges with the answer's leading whitespace).
     */
    static final int GENERATION_PROMPT_SLACK = 4;

    private final Transformer transformer;
    private final long budgetBytes;
    private final List<Entry> entries = new ArrayList<>();
    private long clock;

    private final AtomicLong conversationHits = new AtomicLong();
    private final AtomicLong prefixHits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong conversationMisses = new AtomicLong();
    private final AtomicLong reusedTokens = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private volatile int entryCount;
    private volatile long bytes;

    KvCachePool(Transformer transformer, long budgetBytes) {
        this.transformer = transformer;
        this.budgetBytes = budgetBytes;
    }

    /**
     * A cache for {@code prompt}.
     *
     * @param systemPrefix length of the prompt's system-message part (0 if none): the shared prefix
     * @param keep         the request's final state will be kept (an answer that a next turn extends)
     * @param continuation the prompt continues a conversation (it holds earlier answers)
     */
    Lease acquire(int[] prompt, int systemPrefix, boolean keep, boolean continuation) {
        if (budgetBytes <= 0) {
            misses.incrementAndGet();
            return new Lease(transformer.newCache(), 0, Reuse.NONE, null, null, prompt.length);
        }
        Entry conversation = bestConversation(prompt);
        if (conversation != null) {
            entries.remove(conversation);
            int start = Math.min(commonPrefix(conversation.tokens, prompt), prompt.length - 1);
            conversationHits.incrementAndGet();
            reusedTokens.addAndGet(start);
            account();
            return new Lease(conversation.cache, start, Reuse.CONVERSATION, null, conversation, prompt.length);
        }
        if (continuation) {
            conversationMisses.incrementAndGet();
        }
        Entry prefix = bestPrefix(prompt);
        if (prefix == null && systemPrefix >= MIN_PREFIX_TOKENS && systemPrefix < prompt.length) {
            prefix = addPrefix(Arrays.copyOf(prompt, systemPrefix));
        }
        if (prefix == null) {
            misses.incrementAndGet();
            return new Lease(transformer.newCache(), 0, Reuse.NONE, null, null, prompt.length);
        }
        prefix.lastUsed = ++clock;
        prefixHits.incrementAndGet();
        reusedTokens.addAndGet(prefix.tokens.length);
        if (!keep) {
            return new Lease(prefix.cache, prefix.tokens.length, Reuse.PREFIX, prefix, null, prompt.length);
        }
        KvCache copy = transformer.newCache();
        try {
            transformer.copyPrefix(prefix.cache, copy, prefix.tokens.length);
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
        return new Lease(copy, prefix.tokens.length, Reuse.PREFIX, null, null, prompt.length);
    }

    /**
     * Takes a cache back after a request that ended normally.
     *
     * @param inCache the tokens whose keys and values now fill positions [0, inCache.length)
     * @param keep    keep it as a conversation entry, for a next turn
     */
    void release(Lease lease, int[] inCache, boolean keep) {
        if (lease.borrowedPrefix != null) {
            lease.borrowedPrefix.lastUsed = ++clock; // its own positions were only read
            account();
            evictOverBudget(null);
            return;
        }
        if (!keep && lease.conversation != null) {
            // A conversation's state read by a request that keeps nothing (scoring answers): it still holds
            // the prompt, so it goes back for the conversation's next turn.
            lease.conversation.tokens = inCache;
            lease.conversation.lastUsed = ++clock;
            entries.add(lease.conversation);
            account();
            evictOverBudget(lease.conversation);
            return;
        }
        if (!keep || budgetBytes <= 0) {
            lease.cache.close();
            return;
        }
        Entry entry = new Entry(lease.cache, false, inCache, Math.min(lease.promptLength, inCache.length));
        entry.lastUsed = ++clock;
        entries.add(entry);
        account();
        evictOverBudget(entry);
    }

    /** Takes a cache back after a failed request: whatever it holds is not trusted. */
    void discard(Lease lease) {
        if (lease.borrowedPrefix == null) {
            lease.cache.close();
        }
        // A borrowed prefix's own positions were never written, so it stays valid.
    }

    KvCacheStats stats() {
        return new KvCacheStats(conversationHits.get(), prefixHits.get(), misses.get(), conversationMisses.get(),
                reusedTokens.get(), evictions.get(), entryCount, bytes, budgetBytes);
    }

    @Override
    public void close() {
        entries.forEach(e -> e.cache.close());
        entries.clear();
        account();
    }

    private Entry bestConversation(int[] prompt) {
        Entry best = null;
        int bestLength = 0;
        for (Entry e : entries) {
            if (e.prefix) {
                continue;
            }
            int common = commonPrefix(e.tokens, prompt);
            if (common >= e.protectedLength - GENERATION_PROMPT_SLACK && common > bestLength) {
                best = e;
                bestLength = common;
            }
        }
        return best;
    }

    private Entry bestPrefix(int[] prompt) {
        Entry best = null;
        for (Entry e : entries) {
            if (e.prefix && e.tokens.length < prompt.length && commonPrefix(e.tokens, prompt) == e.tokens.length
                    && (best == null || e.tokens.length > best.tokens.length)) {
                best = e;
            }
        }
        return best;
    }

    private Entry addPrefix(int[] prefixTokens) {
        KvCache cache = transformer.newCache();
        try {
            transformer.prefillRows(cache, 0, prefixTokens, new int[0]);
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
        Entry entry = new Entry(cache, true, prefixTokens, prefixTokens.length);
        entry.lastUsed = ++clock;
        entries.add(entry);
        account();
        return entry;
    }

    /** Evicts least recently used entries (conversations before prefixes) until within budget. */
    private void evictOverBudget(Entry justAdded) {
        List<Entry> candidates = new ArrayList<>(entries);
        candidates.sort(Comparator.<Entry, Boolean>comparing(e -> e.prefix).thenComparingLong(e -> e.lastUsed));
        for (Entry e : candidates) {
            if (bytes <= budgetBytes) {
                break;
            }
            if (e == justAdded && candidates.size() > 1 && bytesOf(e) <= budgetBytes) {
                continue;
            }
            entries.remove(e);
            e.cache.close();
            evictions.incrementAndGet();
            account();
        }
    }

    private static long bytesOf(Entry e) {
        return e.cache.bytes();
    }

    private void account() {
        long total = 0;
        for (Entry e : entries) {
            total += bytesOf(e);
        }
        bytes = total;
        entryCount = entries.size();
    }

    static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
