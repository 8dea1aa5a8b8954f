package dev.allinone.sentiment;

import dev.langchain4j.service.Result;
import dev.langchain4j.service.SystemMessage;

/**
 * Labels the sentiment of one customer message, in English or Chinese: a LangChain4j AI service on the local
 * model, with no chat memory (every message is judged on its own). {@link SentimentAutoConfiguration} builds it;
 * inject it as a bean.
 *
 * <p>The answer is always one of the three labels: the enum return type makes LangChain4j ask for a JSON
 * schema with those values, and the engine picks the most probable of them instead of generating text.
 */
public interface SentimentAnalyst {

    @SystemMessage(fromResource = "/prompts/sentiment-analyst.txt")
    Sentiment analyze(String text);

    /** The same judgement, with the model's response attached (the engine puts each label's probability there). */
    @SystemMessage(fromResource = "/prompts/sentiment-analyst.txt")
    Result<Sentiment> analyzeWithDetails(String text);
}
