package dev.allinone.engine.api;

/**
 * The outcome of one generation.
 *
 * @param text         the answer, without stop sequence or end-of-turn token
 * @param promptTokens tokens of the prompt
 * @param cachedTokens prompt tokens whose keys and values were reused rather than computed
 * @param outputTokens tokens generated (the end-of-turn token that stopped it not counted)
 * @param finish       why it stopped
 * @param timings      where the time went
 */
public record GenerationResult(String text, int promptTokens, int cachedTokens, int outputTokens, Finish finish,
                               Timings timings) {

    public enum Finish {
        /** The model ended its turn, or a stop sequence appeared. */
        STOP,
        /** The token cap or the context limit was reached. */
        LENGTH,
        /** The caller cancelled. */
        CANCELLED
    }
}
