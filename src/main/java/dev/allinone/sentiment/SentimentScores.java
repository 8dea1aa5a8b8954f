package dev.allinone.sentiment;

import dev.allinone.engine.langchain4j.EngineResponseMetadata;
import dev.langchain4j.service.Result;

import java.util.EnumMap;
import java.util.Map;

/**
 * A label with each label's probability.
 *
 * @param sentiment the most probable label
 * @param scores    probability per label, summing to 1; when another chat model (without label probabilities)
 *                  replaces the engine, the chosen label gets 1
 */
public record SentimentScores(Sentiment sentiment, Map<Sentiment, Double> scores) {

    public static SentimentScores of(Result<Sentiment> result) {
        Map<Sentiment, Double> scores = new EnumMap<>(Sentiment.class);
        if (result.finalResponse() != null
                && result.finalResponse().metadata() instanceof EngineResponseMetadata metadata
                && !metadata.choiceProbabilities().isEmpty()) {
            metadata.choiceProbabilities().forEach((label, p) -> scores.put(Sentiment.valueOf(label), p));
        } else {
            for (Sentiment s : Sentiment.values()) {
                scores.put(s, s == result.content() ? 1.0 : 0.0);
            }
        }
        return new SentimentScores(result.content(), scores);
    }
}
