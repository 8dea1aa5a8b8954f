package dev.allinone.engine.kvcache;

/**
 * What the KV reuse pool did since start and holds now.
 *
 * @param conversationHits   requests that continued a cached conversation (computed only the new turn)
 * @param prefixHits         requests that started from a cached system prompt
 * @param misses             requests that computed their whole prompt
 * @param conversationMisses requests that continued a conversation but found no cached state for it (the
 *                           memory window dropped old messages, or the state was evicted)
 * @param reusedTokens       prompt tokens not computed thanks to the pool
 * @param evictions          entries dropped to stay within the budget
 * @param entries            entries held now
 * @param bytes              memory they take
 * @param budgetBytes        what kept entries may take at most
 * @param leasedBytes        memory running requests hold or may still grow into
 * @param limitBytes         what attention state, kept and running, may take: the memory budget's share
 */
public record KvCacheStats(long conversationHits, long prefixHits, long misses, long conversationMisses,
                           long reusedTokens, long evictions, int entries, long bytes, long budgetBytes,
                           long leasedBytes, long limitBytes) {

    public static final KvCacheStats EMPTY = new KvCacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
