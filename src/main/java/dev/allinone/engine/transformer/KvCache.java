package dev.allinone.engine.transformer;

/** Attention keys and values of one sequence. Close it to give its memory back. */
public interface KvCache extends AutoCloseable {

    /** Positions written so far (the highest written position plus one). */
    int positions();

    /** Memory the cache holds now (it grows in pages as positions are written). */
    long bytes();

    @Override
    void close();
}
