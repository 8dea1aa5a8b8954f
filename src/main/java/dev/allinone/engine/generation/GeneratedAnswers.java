package dev.allinone.engine.generation;

import dev.allinone.engine.text.RecentlyUsed;


/**
 * The tokens of recent answers, by text. When an answer comes back as part of the next turn's history, the
 * prompt uses the tokens the model generated rather than re-encoding the text (which can split it
 * differently), so the next turn's prompt extends this turn's exactly and its attention state can be reused.
 * Bounded: the least recently used answers are forgotten.
 */
public final class GeneratedAnswers {

    private final RecentlyUsed<String, int[]> byText;

    public GeneratedAnswers(int capacity) {
        this.byText = new RecentlyUsed<>(capacity);
    }

    public void remember(String text, int[] tokens) {
        if (!text.isEmpty() && tokens.length > 0) {
            byText.put(text, tokens);
        }
    }

    /** The tokens {@code text} was generated as, or null. */
    public int[] tokensOf(String text) {
        return byText.get(text);
    }
}
