package dev.allinone.engine.transformer;

/**
 * How the weights are held in memory ({@code allinone.engine.weight-format}). Decoding reads every weight once per
 * token, so fewer bytes per weight, cheap to unpack, is faster, at some cost in precision (see the README's weight
 * formats).
 */
public enum WeightFormat {
    /** The checkpoint's own 16-bit weights as published (BF16 for Qwen1.5): exact. */
    BF16,
    /**
     * Blockwise 8-bit (32 weights per scale), quantized at first start and kept in
     * {@code <models-dir>/<owner>_<name>-allinone-q8/}. Not on Jlama's kernels: its Q8 crashes.
     */
    Q8,
    /**
     * Blockwise 4-bit (32 weights per scale, the idea of llama.cpp's Q4_0): the fewest bytes, the default on Jlama's
     * kernels. Quantized at first start (~8 s) and kept in {@code <models-dir>/<owner>_<name>-allinone-q4/}.
     */
    Q4,
    /**
     * 4-bit with a scale and an offset per 16 weights (stored as 8-bit multiples of per-256 units, the idea of
     * llama.cpp's Q4_K), each fitted for the least squared error: about Q4's bytes and speed, 0.6 of its logit
     * error (see the README's weight formats). Quantized at first start and kept in {@code <dir>-allinone-q4k/}.
     * allinone's kernels only.
     */
    Q4K,
    /**
     * Q4K with attention's value and output projections at 8 bits (Q8), the matrices the quality report found
     * most sensitive (as llama.cpp's Q4_K_M keeps attention values at more bits): 7% of the weights in Q8, 0.4 of
     * Q4's logit error at Q4's decode speed. The default on allinone's kernels. Kept in
     * {@code <dir>-allinone-q4km/}. allinone's kernels only.
     */
    Q4KM
}
