package dev.allinone.web;

import dev.allinone.web.errors.MalformedBodyException;

/**
 * Checks, as the bytes stream by, that a body is well-formed UTF-8 (RFC 3629): no overlong forms ({@code C0 AF} for
 * {@code /}), no encoded surrogates ({@code ED A0 80}), nothing past U+10FFFF, no stray or missing continuation
 * bytes. Jackson reads such bytes without complaint, and what they decode to (a {@code /} that was never sent, a
 * lone surrogate stored as {@code ?}) is not what the client meant.
 */
final class Utf8Check {

    private long offset;
    /** Continuation bytes still expected for the current character. */
    private int pending;
    /** The range the next continuation byte must fall in (narrower right after some lead bytes). */
    private int low = 0x80, high = 0xBF;

    void check(byte[] bytes, int from, int length) throws MalformedBodyException {
        for (int i = from; i < from + length; i++, offset++) {
            int b = bytes[i] & 0xFF;
            if (pending > 0) {
                if (b < low || b > high) {
                    throw malformed(b);
                }
                low = 0x80;
                high = 0xBF;
                pending--;
            } else if (b >= 0x80) {
                lead(b);
            }
        }
    }

    private void lead(int b) throws MalformedBodyException {
        if (b >= 0xC2 && b <= 0xDF) {
            pending = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            pending = 2;
            if (b == 0xE0) {
                low = 0xA0; // shorter forms are overlong
            } else if (b == 0xED) {
                high = 0x9F; // U+D800..U+DFFF are surrogates, not characters
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            pending = 3;
            if (b == 0xF0) {
                low = 0x90;
            } else if (b == 0xF4) {
                high = 0x8F; // nothing past U+10FFFF
            }
        } else {
            throw malformed(b); // 80..C1 (stray continuation, overlong lead) and F5..FF
        }
    }

    /** At the end of the body: a character must not be cut short. */
    void finish() throws MalformedBodyException {
        if (pending > 0) {
            throw new MalformedBodyException("The request body is not valid UTF-8: it ends in the middle of a character");
        }
    }

    private MalformedBodyException malformed(int b) {
        return new MalformedBodyException(String.format("The request body is not valid UTF-8: byte 0x%02X at offset %d "
                + "(JSON must be UTF-8, without overlong forms or encoded surrogates)", b, offset));
    }
}
