package dev.allinone.web;

/** Checks on text from clients, shared by {@code /api} and {@code /v1}. */
public final class UnicodeText {

    private UnicodeText() {
    }

    /** Null, or only whitespace of any kind (Unicode spaces, zero-width space, byte order mark). */
    public static boolean isBlank(String value) {
        return value == null || value.chars().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c == '\u200B' || c == '\uFEFF');
    }

    /**
     * Whether {@code value} holds a surrogate that is not half of a pair (a JSON escape like {@code "\ud800"}
     * alone): not text that UTF-8 can carry; stored, it would come back as {@code ?}.
     */
    public static boolean hasLoneSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
