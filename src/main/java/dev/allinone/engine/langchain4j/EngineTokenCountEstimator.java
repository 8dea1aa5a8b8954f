package dev.allinone.engine.langchain4j;

import dev.allinone.engine.LocalEngine;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;

import java.util.List;

/**
 * Exact token counts from the model's own tokenizer (LangChain4j calls them estimates). A message counts its
 * text only; the chat template adds a few tokens per message.
 */
public class EngineTokenCountEstimator implements TokenCountEstimator {

    private final LocalEngine engine;

    public EngineTokenCountEstimator(LocalEngine engine) {
        this.engine = engine;
    }

    @Override
    public int estimateTokenCountInText(String text) {
        return engine.countTokens(text);
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        return engine.countTokens(PromptMessages.of(List.of(message)).get(0).content());
    }

    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
        int total = 0;
        for (ChatMessage message : messages) {
            total += estimateTokenCountInMessage(message);
        }
        return total;
    }
}
