package dev.allinone.engine;

/** Attention keys and values of one sequence. Close it to give its memory back. */
public interface KvCache extends AutoCloseable {

    @Override
    void close();
}
