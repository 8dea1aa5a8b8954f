package dev.allinone.web;

import dev.allinone.companion.ConversationService;
import dev.allinone.engine.RequestControl;
import dev.allinone.sentiment.SentimentScores;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * Writes one streamed turn as Server-Sent Events: {@code sentiment} first, then {@code delta} events with the
 * answer's text, then {@code done} with usage and finish reason — or {@code error} with problem details.
 *
 * <p>The model's thread only queues events; a virtual thread of this stream writes them, so a slow client
 * never holds up the model. When a write fails (the client went away) the request is cancelled and the
 * model stops within one token.
 */
final class SseTurnWriter implements ConversationService.StreamListener {

    private record Event(String name, Object data, boolean last) {
    }

    private final SseEmitter emitter;
    private final RequestControl control;
    private final Function<Throwable, ProblemDetail> problems;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    SseTurnWriter(SseEmitter emitter, RequestControl control, Function<Throwable, ProblemDetail> problems) {
        this.emitter = emitter;
        this.control = control;
        this.problems = problems;
        emitter.onCompletion(control::cancel);
        emitter.onTimeout(control::cancel);
        emitter.onError(e -> control.cancel());
    }

    /** The writer starts with the first event: a turn that fails before it answers with plain problem details. */
    @Override
    public void started(String conversationId, SentimentScores sentiment) {
        Thread.ofVirtual().name("allinone-sse").start(this::write);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("conversationId", conversationId);
        data.put("sentiment", sentiment.sentiment());
        data.put("scores", sentiment.scores());
        events.add(new Event("sentiment", data, false));
    }

    @Override
    public void text(String delta) {
        events.add(new Event("delta", Map.of("text", delta), false));
    }

    @Override
    public void completed(ChatResponse response) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("finishReason", response.finishReason());
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("inputTokens", response.tokenUsage() == null ? null : response.tokenUsage().inputTokenCount());
        usage.put("outputTokens", response.tokenUsage() == null ? null : response.tokenUsage().outputTokenCount());
        data.put("usage", usage);
        events.add(new Event("done", data, true));
    }

    @Override
    public void failed(Throwable error) {
        events.add(new Event("error", problems.apply(error), true));
    }

    private void write() {
        try {
            while (true) {
                Event event = events.take();
                emitter.send(SseEmitter.event().name(event.name()).data(event.data(), MediaType.APPLICATION_JSON));
                if (event.last()) {
                    emitter.complete();
                    return;
                }
            }
        } catch (IOException | IllegalStateException e) {
            // The client went away (or the emitter timed out): stop the model.
            control.cancel();
            emitter.completeWithError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            control.cancel();
        }
    }
}
