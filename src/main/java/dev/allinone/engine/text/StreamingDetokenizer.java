package dev.allinone.engine.text;

import java.util.Arrays;

/**
 * Turns tokens into text as they come, never splitting a character. Byte-level BPE tokens can end in the
 * middle of a UTF-8 sequence (a Chinese character is often two tokens), so text is released only once the
 * bytes decode cleanly: the method of Hugging Face's text-generation-inference, which decodes a short window
 * of recent tokens and compares it with the window's earlier decoding.
 */
public final class StreamingDetokenizer {

    private static final char REPLACEMENT = '\uFFFD';

    private final HfTokenizer tokenizer;
    private int[] ids = new int[64];
    private int size;
    /** Start of the decoding window. */
    private int prefixOffset;
    /** End of the text already released. */
    private int readOffset;

    public StreamingDetokenizer(HfTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds a token; returns the text it completes (possibly empty). */
    public String push(int token) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = token;
        String released = tokenizer.decode(ids, prefixOffset, readOffset);
        String window = tokenizer.decode(ids, prefixOffset, size);
        if (window.length() > released.length() && window.charAt(window.length() - 1) != REPLACEMENT) {
            prefixOffset = readOffset;
            readOffset = size;
            return window.substring(released.length());
        }
        return "";
    }

    /** Whatever is held back at the end (an unfinished byte sequence decodes to U+FFFD). */
    public String flush() {
        String released = tokenizer.decode(ids, prefixOffset, readOffset);
        String window = tokenizer.decode(ids, prefixOffset, size);
        prefixOffset = readOffset = size;
        return window.length() > released.length() ? window.substring(released.length()) : "";
    }
}
