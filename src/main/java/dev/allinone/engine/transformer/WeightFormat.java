package dev.allinone.engine.transformer;

import dev.allinone.engine.Kernels;

/**
 * How the weights are held in memory. Decoding streams every weight once per token, so fewer bytes per weight
 * is faster, at some cost in precision (see the README's benchmark).
 */
public enum WeightFormat {
    /** The checkpoint's own type (BF16 for Qwen1.5), computed in F32: exact. */
    AS_IS,
    /**
     * Blockwise 8-bit (32 weights per scale), quantized at first start and kept in
     * {@code models/<owner>_<name>-allinone-q8/}. Only with {@link Kernels#ALLINONE}: Jlama's Q8 crashes.
     */
    Q8,
    /**
     * Blockwise 4-bit (32 weights per scale): the fastest. With {@link Kernels#ALLINONE} quantized at first start
     * (~3 s) and kept in {@code models/<owner>_<name>-allinone-q4/}; with {@link Kernels#JLAMA} Jlama's Q4,
     * converted once at first start into
     * {@code models/<owner>_<name>-Q4/} and reused after that.
     */
    Q4
}
