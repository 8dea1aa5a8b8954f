package dev.allinone.engine;

/** Whose kernels run the model ({@code allinone.engine.kernels}). */
public enum Kernels {
    /**
     * This project's own Qwen2 forward pass and Vector API kernels (package {@code engine.cpu}): ~3.5x Jlama's
     * decode speed here. Reads the checkpoint as published; quantizes it at first start and keeps the copy.
     */
    ALLINONE,
    /** Jlama 0.8.4's model classes and kernels (package {@code engine.jlama}, needs jlama-core on the classpath): the reference ours are tested against. */
    JLAMA
}
