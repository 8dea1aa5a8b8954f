package dev.allinone.engine.text;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A small map that forgets the least recently used entry past its capacity, safe to share between threads: what
 * the engine remembers per system text, role sequence, answer set or answer text.
 */
public final class RecentlyUsed<K, V> {

    private final Map<K, V> entries;

    public RecentlyUsed(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized V get(K key) {
        return entries.get(key);
    }

    public synchronized void put(K key, V value) {
        entries.put(key, value);
    }

    /**
     * The value for {@code key}, computed when it is not known. Computed outside the lock: two threads asking at
     * once may both compute it, and the values are the same.
     */
    public V computeIfAbsent(K key, Function<K, V> compute) {
        V known = get(key);
        if (known != null) {
            return known;
        }
        V value = compute.apply(key);
        put(key, value);
        return value;
    }
}
