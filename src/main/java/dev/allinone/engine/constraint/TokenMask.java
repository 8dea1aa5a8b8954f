package dev.allinone.engine.constraint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Which tokens may come next under a {@link JsonMatcher}: every token is a string of bytes (byte-level BPE), and
 * a token may come if the matcher takes all its bytes. The tokens are sorted by their bytes, so those sharing a
 * prefix lie together: a prefix the matcher refuses rules out its whole run in one skip, and a prefix it takes is
 * fed once for the whole run. Inside free text (most of a JSON answer's tokens) the tokens that are plain text
 * (no quote, backslash or control byte, whole UTF-8 characters) are all allowed at once from a precomputed set,
 * and only the others are walked.
 */
public final class TokenMask {

    private final byte[][] bytes;
    private final Walk all;
    private final BitSet plain;
    private final Walk notPlain;
    /** Most characters in a plain token: free text with this much room left takes every plain token. */
    private final int plainChars;
    private final int longest;

    TokenMask(byte[][] bytes) {
        this.bytes = bytes;
        int[] ids = IntStream.range(0, bytes.length).filter(i -> bytes[i] != null && bytes[i].length > 0).toArray();
        this.all = new Walk(ids, bytes);
        this.plain = new BitSet(bytes.length);
        int most = 0, longestToken = 0;
        for (int id : ids) {
            int chars = plainChars(bytes[id]);
            if (chars >= 0) {
                plain.set(id);
                most = Math.max(most, chars);
            }
            longestToken = Math.max(longestToken, bytes[id].length);
        }
        this.plainChars = most;
        this.longest = longestToken;
        this.notPlain = new Walk(Arrays.stream(ids).filter(id -> !plain.get(id)).toArray(), bytes);
    }

    /** The mask of a tokenizer's vocabulary, read from its {@code tokenizer.json} (byte-level BPE). */
    public static TokenMask of(Path tokenizerJson, int size) {
        return new TokenMask(ByteLevelVocabulary.read(tokenizerJson, size));
    }

    /** How many token ids the vocabulary has. */
    public int size() {
        return bytes.length;
    }

    /** The bytes of a token; null for control tokens and ids without text. */
    public byte[] bytes(int token) {
        return token >= 0 && token < bytes.length ? bytes[token] : null;
    }

    /** The tokens {@code state} takes whole (not the end of turn: the caller adds it when the value is complete). */
    public BitSet allowed(JsonMatcher state) {
        BitSet out = new BitSet(bytes.length);
        if (state.onlyTop() instanceof JsonMatcher.Chars text && text.free(plainChars)) {
            out.or(plain);
            notPlain.run(state, out);
        } else {
            all.run(state, out);
        }
        return out;
    }

    /**
     * Tokens spelling {@code text}, longest match first. Not the tokenizer's own segmentation, but every byte
     * string has one (byte-level BPE has a token per byte), and the model reads it as the same bytes.
     */
    public int[] tokens(byte[] text) {
        int[] out = new int[text.length];
        int n = 0;
        for (int at = 0; at < text.length; ) {
            int found = -1, length = Math.min(longest, text.length - at);
            for (; length > 0 && found < 0; length--) {
                found = all.find(text, at, length);
            }
            if (found < 0) {
                throw new IllegalStateException("No token for byte " + (text[at] & 0xFF));
            }
            out[n++] = found;
            at += length + 1;
        }
        return Arrays.copyOf(out, n);
    }

    /** Characters of a plain-text token, or -1 if it is not plain text (see the class comment). */
    static int plainChars(byte[] token) {
        // Fed through the matcher's own string frame, so "whole UTF-8 characters" means exactly what it accepts.
        JsonMatcher.Chars text = JsonMatcher.Chars.freeText();
        for (byte value : token) {
            int b = value & 0xFF;
            if (b == '"' || b == '\\') {
                return -1; // would close the string or begin an escape
            }
            text = text.next(b);
            if (text == null) {
                return -1;
            }
        }
        return text.need() == 0 ? text.chars() : -1;
    }

    /** Token ids sorted by their bytes, with each one's common prefix with the one before. */
    private static final class Walk {
        private final int[] ids;
        private final int[] common;
        private final byte[][] bytes;

        Walk(int[] ids, byte[][] bytes) {
            this.bytes = bytes;
            this.ids = Arrays.stream(ids).boxed().sorted(Comparator.comparing(id -> bytes[id], Arrays::compareUnsigned))
                    .mapToInt(Integer::intValue).toArray();
            this.common = new int[this.ids.length];
            for (int i = 1; i < this.ids.length; i++) {
                byte[] a = bytes[this.ids[i - 1]], b = bytes[this.ids[i]];
                int mismatch = Arrays.mismatch(a, b);
                common[i] = mismatch < 0 ? a.length : mismatch;
            }
        }

        void run(JsonMatcher start, BitSet out) {
            JsonMatcher[] states = new JsonMatcher[64];
            states[0] = start;
            int valid = 0; // states[0..valid] hold the current token's first bytes fed
            for (int i = 0; i < ids.length; i++) {
                byte[] token = bytes[ids[i]];
                if (token.length >= states.length) {
                    states = Arrays.copyOf(states, token.length + 1);
                }
                int k = Math.min(i == 0 ? 0 : common[i], valid);
                for (; k < token.length; k++) {
                    JsonMatcher next = states[k].feed(token[k] & 0xFF);
                    if (next == null) {
                        break;
                    }
                    states[k + 1] = next;
                }
                valid = k;
                if (k == token.length) {
                    out.set(ids[i]);
                } else {
                    // Every following token that shares the refused byte's prefix is refused too.
                    while (i + 1 < ids.length && common[i + 1] > k) {
                        i++;
                    }
                }
            }
        }

        /** The id of the token whose bytes are exactly {@code text[at, at + length)}, or -1. */
        int find(byte[] text, int at, int length) {
            int lo = 0, hi = ids.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                byte[] token = bytes[ids[mid]];
                int c = Arrays.compareUnsigned(token, 0, token.length, text, at, at + length);
                if (c == 0) {
                    return ids[mid];
                }
                if (c < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return -1;
        }
    }

    /** Reads byte-level BPE vocabularies: GPT-2's mapping of bytes to printable characters, undone. */
    static final class ByteLevelVocabulary {
        private ByteLevelVocabulary() {
        }

        static byte[][] read(Path tokenizerJson, int size) {
            int[] byteOf = byteDecoder();
            byte[][] out = new byte[size][];
            try (JsonParser json = new ObjectMapper().createParser(tokenizerJson.toFile())) {
                json.nextToken();
                while (json.nextToken() == JsonToken.FIELD_NAME) {
                    String field = json.currentName();
                    json.nextToken();
                    if (!field.equals("model")) {
                        json.skipChildren();
                        continue;
                    }
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        String modelField = json.currentName();
                        json.nextToken();
                        if (!modelField.equals("vocab")) {
                            json.skipChildren();
                            continue;
                        }
                        while (json.nextToken() == JsonToken.FIELD_NAME) {
                            String piece = json.currentName();
                            json.nextToken();
                            int id = json.getIntValue();
                            if (id >= 0 && id < size) {
                                out[id] = decode(piece, byteOf);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the vocabulary of " + tokenizerJson, e);
            }
            return out;
        }

        private static byte[] decode(String piece, int[] byteOf) {
            byte[] out = new byte[piece.length()];
            for (int i = 0; i < piece.length(); i++) {
                char c = piece.charAt(i);
                int b = c < byteOf.length ? byteOf[c] : -1;
                if (b < 0) {
                    return null; // not a byte-level piece
                }
                out[i] = (byte) b;
            }
            return out;
        }

        /** GPT-2's {@code bytes_to_unicode}, inverted: printable bytes stand for themselves, the rest from U+0100 on. */
        private static int[] byteDecoder() {
            int[] byteOf = new int[512];
            Arrays.fill(byteOf, -1);
            int next = 256;
            for (int b = 0; b < 256; b++) {
                boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
                byteOf[printable ? b : next++] = b;
            }
            return byteOf;
        }
    }
}
