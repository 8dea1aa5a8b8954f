package dev.allinone.engine.kvcache;

import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;

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
 * All attention state, kept and running, comes out of one share of the {@link ModelMemory} budget. A request
 * states how many positions it may reach before it starts; if what it may still grow by does not fit beside
 * what is kept and what other requests hold, kept entries are evicted, least recently used first (evicting
 * closes the cache, which gives its memory back); if it still does not fit, the request is refused with
 * {@link AttentionMemoryException} before any work. Kept entries may also be capped on their own
 * ({@code kv-cache-budget}). Reuse is exact: every position holds what computing the whole prompt would have
 * put there. Used by the inference thread only; {@link #stats()} may be read from anywhere.
 */
public final class KvCachePool implements AutoCloseable {

    /** How much of a request's prompt was already computed. */
    enum Reuse { CONVERSATION, PREFIX, NONE }

    /**
     * A cache lent to one request: positions {@code [0, start)} already hold the first {@code start} tokens of
     * its prompt.
     */
    public static final class Lease {
        final KvCache cache;
        final int start;
        final Reuse reuse;
        private final Entry borrowedPrefix;
        private final Entry conversation;
        private final int promptLength;
        /** What the cache may grow to during the request. */
        private final long reservedBytes;

        private Lease(KvCache cache, int start, Reuse reuse, Entry borrowedPrefix, Entry conversation, int promptLength,
                      long reservedBytes) {
            this.cache = cache;
            this.start = start;
            this.reuse = reuse;
            this.borrowedPrefix = borrowedPrefix;
            this.conversation = conversation;
            this.promptLength = promptLength;
            this.reservedBytes = reservedBytes;
        }

        /** The cache to compute in. */
        public KvCache cache() {
            return cache;
        }

        /** Positions already computed in {@link #cache()}: the request computes from here. */
        public int start() {
            return start;
        }

        /**
         * Memory the lease holds beyond the kept entries: its cache and what it may still grow by (a borrowed
         * prefix's own bytes are the entry's, so only its growth).
         */
        long claim() {
            long current = cache.bytes();
            return borrowedPrefix != null ? Math.max(0, reservedBytes - current) : Math.max(reservedBytes, current);
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
    /** What attention state, kept and running, may take: the memory budget's share for it. */
    private final long limitBytes;
    /** What kept entries may take at most (their own cap, within the limit); 0 turns reuse off. */
    private final long budgetBytes;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Lease> leases = new ArrayList<>();
    private long clock;

    private final AtomicLong conversationHits = new AtomicLong();
    private final AtomicLong prefixHits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong conversationMisses = new AtomicLong();
    private final AtomicLong reusedTokens = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private volatile int entryCount;
    private volatile long bytes;
    private volatile long leasedBytes;

    /**
     * @param limitBytes  what attention state, kept and running, may take
     * @param budgetBytes what kept entries may take at most (within the limit); 0 turns reuse off
     */
    public KvCachePool(Transformer transformer, long limitBytes, long budgetBytes) {
        this.transformer = transformer;
        this.limitBytes = limitBytes;
        this.budgetBytes = Math.min(budgetBytes, limitBytes);
    }

    /**
     * A cache for {@code prompt}.
     *
     * @param systemPrefix length of the prompt's system-message part (0 if none): the shared prefix
     * @param keep         the request's final state will be kept (an answer that a next turn extends)
     * @param continuation the prompt continues a conversation (it holds earlier answers)
     * @param positions    the most positions the request may fill (prompt and answer)
     * @throws AttentionMemoryException when the request's state does not fit, even with nothing kept
     */
    public Lease acquire(int[] prompt, int systemPrefix, boolean keep, boolean continuation, int positions) {
        long reserved = transformer.kvBytes(positions);
        if (budgetBytes <= 0) {
            makeRoom(reserved, null);
            misses.incrementAndGet();
            return lease(transformer.newCache(), 0, Reuse.NONE, null, null, prompt.length, reserved);
        }
        Entry conversation = bestConversation(prompt);
        if (conversation != null) {
            entries.remove(conversation);
            try {
                makeRoom(Math.max(0, reserved - conversation.cache.bytes()), null);
            } catch (AttentionMemoryException e) {
                entries.add(conversation); // still valid for a request that fits
                throw e;
            }
            int start = Math.min(commonPrefix(conversation.tokens, prompt), prompt.length - 1);
            conversationHits.incrementAndGet();
            reusedTokens.addAndGet(start);
            return lease(conversation.cache, start, Reuse.CONVERSATION, null, conversation, prompt.length, reserved);
        }
        if (continuation) {
            conversationMisses.incrementAndGet();
        }
        Entry prefix = bestPrefix(prompt);
        if (prefix == null && systemPrefix >= MIN_PREFIX_TOKENS && systemPrefix < prompt.length) {
            makeRoom(transformer.kvBytes(systemPrefix) + reserved, null);
            prefix = addPrefix(Arrays.copyOf(prompt, systemPrefix));
        }
        if (prefix == null) {
            makeRoom(reserved, null);
            misses.incrementAndGet();
            return lease(transformer.newCache(), 0, Reuse.NONE, null, null, prompt.length, reserved);
        }
        prefix.lastUsed = ++clock;
        if (!keep && !borrowed(prefix)) {
            makeRoom(Math.max(0, reserved - prefix.cache.bytes()), prefix);
            countPrefixHit(prefix);
            return lease(prefix.cache, prefix.tokens.length, Reuse.PREFIX, prefix, null, prompt.length, reserved);
        }
        makeRoom(reserved, prefix);
        KvCache copy = transformer.newCache();
        try {
            transformer.copyPrefix(prefix.cache, copy, prefix.tokens.length);
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
        countPrefixHit(prefix);
        return lease(copy, prefix.tokens.length, Reuse.PREFIX, null, null, prompt.length, reserved);
    }

    private void countPrefixHit(Entry prefix) {
        prefixHits.incrementAndGet();
        reusedTokens.addAndGet(prefix.tokens.length);
    }

    private Lease lease(KvCache cache, int start, Reuse reuse, Entry borrowedPrefix, Entry conversation, int promptLength,
                        long reserved) {
        Lease lease = new Lease(cache, start, reuse, borrowedPrefix, conversation, promptLength, reserved);
        leases.add(lease);
        account();
        return lease;
    }

    /**
     * Makes room for {@code needed} more bytes beside what is kept and leased, evicting kept entries least
     * recently used first (never {@code spared}, which the request is about to use).
     */
    private void makeRoom(long needed, Entry spared) {
        while (kept() + leased() + needed > limitBytes) {
            Entry victim = entries.stream().filter(e -> e != spared && !borrowed(e))
                    .min(Comparator.<Entry, Boolean>comparing(e -> e.prefix).thenComparingLong(e -> e.lastUsed))
                    .orElse(null);
            if (victim == null) {
                long spare = spared == null ? 0 : spared.cache.bytes();
                throw new AttentionMemoryException(needed, Math.max(0, limitBytes - kept() - leased()),
                        needed + spare > limitBytes - leased());
            }
            evict(victim);
        }
    }

    /**
     * Takes a cache back after a request that ended normally.
     *
     * @param inCache the tokens whose keys and values now fill positions [0, inCache.length)
     * @param keep    keep it as a conversation entry, for a next turn
     */
    public void release(Lease lease, int[] inCache, boolean keep) {
        leases.remove(lease);
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
            account();
            return;
        }
        Entry entry = new Entry(lease.cache, false, inCache, Math.min(lease.promptLength, inCache.length));
        entry.lastUsed = ++clock;
        entries.add(entry);
        account();
        evictOverBudget(entry);
    }

    /** Takes a cache back after a failed request: whatever it holds is not trusted. */
    public void discard(Lease lease) {
        leases.remove(lease);
        if (lease.borrowedPrefix == null) {
            lease.cache.close();
        }
        // A borrowed prefix's own positions were never written, so it stays valid.
        account();
    }

    public KvCacheStats stats() {
        return new KvCacheStats(conversationHits.get(), prefixHits.get(), misses.get(), conversationMisses.get(),
                reusedTokens.get(), evictions.get(), entryCount, bytes, budgetBytes, leasedBytes, limitBytes);
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

    /**
     * Evicts least recently used entries (conversations before prefixes) until the kept ones are within their
     * cap and beside the running requests within the limit.
     */
    private void evictOverBudget(Entry justAdded) {
        List<Entry> candidates = new ArrayList<>(entries);
        candidates.sort(Comparator.<Entry, Boolean>comparing(e -> e.prefix).thenComparingLong(e -> e.lastUsed));
        for (Entry e : candidates) {
            long cap = Math.min(budgetBytes, limitBytes - leased());
            if (kept() <= cap) {
                break;
            }
            if (e == justAdded && candidates.size() > 1 && e.cache.bytes() <= cap || borrowed(e)) {
                continue;
            }
            evict(e);
        }
    }

    /**
     * Whether a running request computes in the entry's own cache (scoring after a shared prefix): then no other
     * request may write after its prefix (it gets a copy), and it is not evicted under it.
     */
    private boolean borrowed(Entry e) {
        for (Lease l : leases) {
            if (l.borrowedPrefix == e) {
                return true;
            }
        }
        return false;
    }

    private void evict(Entry e) {
        entries.remove(e);
        e.cache.close();
        evictions.incrementAndGet();
        account();
    }

    private long kept() {
        long total = 0;
        for (Entry e : entries) {
            total += e.cache.bytes();
        }
        return total;
    }

    private long leased() {
        long total = 0;
        for (Lease l : leases) {
            total += l.claim();
        }
        return total;
    }

    private void account() {
        bytes = kept();
        leasedBytes = leased();
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
