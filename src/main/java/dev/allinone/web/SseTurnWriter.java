package dev.allinone.web;

import dev.allinone.companion.ConversationService;
import dev.allinone.sentiment.SentimentScores;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.springframework.http.ProblemDetail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One streamed support turn as Server-Sent Events: {@code sentiment} first, then {@code delta} events with the
 * answer's text, then {@code done} with usage and finish reason — or {@code error} with problem details.
 */
final class SseTurnWriter implements ConversationService.StreamListener {

    private final SseEventQueue events;
    private final Function<Throwable, ProblemDetail> problems;

    SseTurnWriter(SseEventQueue events, Function<Throwable, ProblemDetail> problems) {
        this.events = events;
        this.problems = problems;
    }

    @Override
    public void started(String conversationId, SentimentScores sentiment) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("conversationId", conversationId);
        data.put("sentiment", sentiment.sentiment());
        data.put("scores", sentiment.scores());
        events.send("sentiment", data);
    }

    @Override
    public void text(String delta) {
        events.send("delta", Map.of("text", delta));
    }

    @Override
    public void completed(ChatResponse response) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("finishReason", response.finishReason());
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("inputTokens", response.tokenUsage() == null ? null : response.tokenUsage().inputTokenCount());
        usage.put("outputTokens", response.tokenUsage() == null ? null : response.tokenUsage().outputTokenCount());
        data.put("usage", usage);
        events.finish("done", data);
    }

    @Override
    public void failed(Throwable error) {
        events.finish("error", problems.apply(error));
    }
}
