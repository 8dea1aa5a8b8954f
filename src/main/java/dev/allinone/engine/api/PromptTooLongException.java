package dev.allinone.engine.api;

/** The prompt does not fit the context limit with room for at least one answer token. */
public class PromptTooLongException extends RuntimeException {

    private final int promptTokens;
    private final int limit;

    public PromptTooLongException(int promptTokens, int limit) {
        super("The prompt is " + promptTokens + " tokens; the context limit is " + limit
                + " tokens, prompt and answer together");
        this.promptTokens = promptTokens;
        this.limit = limit;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int limit() {
        return limit;
    }
}
