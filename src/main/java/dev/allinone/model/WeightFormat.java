package dev.allinone.model;

/**
 * How the weights are held in memory.
 *
 * <p>Measured with Jlama 0.8.4 on this project's 2-core machine (Qwen1.5-0.5B shape, see the README's
 * benchmark): BF16 as published decodes ~14 tok/s; Q4 converted once ahead of time ~17 tok/s with
 * jlama-native, prefills ~25% faster and halves the service's memory, so it is the default. Quantizing while
 * loading barely quantizes anything, and Jlama's Q8 crashes, so neither is offered.
 */
public enum WeightFormat {
    /** The checkpoint's own type (BF16 for Qwen1.5), computed in F32. */
    AS_IS,
    /**
     * Jlama's blockwise 4-bit format. Converted once at first start into {@code models/<owner>_<name>-Q4/}
     * and reused after that.
     */
    Q4
}
