package dev.allinone.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.scheduling.RequestControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Server-Sent Events written off the model's thread: producers (the inference thread) only queue events; a
 * virtual thread, started with the first event, writes them. A slow client never holds the model up, and a
 * failed write (the client hung up) cancels the request, so the model stops within one token.
 *
 * <p>Events are framed as OpenAI's API frames them, {@code event: name} and {@code data: {...}} with a space after
 * the colon (clients that test {@code line.startsWith("data: ")} depend on it), each event ending with an empty
 * line. Spring's own {@code SseEmitter} writes {@code data:} without the space.
 */
public final class SseEventQueue {

    /** {@code text/event-stream; charset=UTF-8}, as OpenAI's API sends it. */
    public static final MediaType EVENT_STREAM = new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8);
    private static final MediaType TEXT = new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);

    private record Event(String text, boolean last) {
    }

    private final ResponseBodyEmitter emitter;
    private final RequestControl control;
    private final ObjectMapper json;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private boolean started;

    /** A stream for the request {@code control} governs: open as long as its deadline leaves (plus a second). */
    public SseEventQueue(RequestControl control, ObjectMapper json) {
        long remaining = control.remainingNanos();
        this.emitter = new ResponseBodyEmitter(remaining == Long.MAX_VALUE ? 0L : remaining / 1_000_000 + 1000);
        this.control = control;
        this.json = json;
        emitter.onCompletion(control::cancel);
        emitter.onTimeout(control::cancel);
        emitter.onError(e -> control.cancel());
    }

    /** The response that carries the stream. */
    public ResponseEntity<ResponseBodyEmitter> response() {
        return ResponseEntity.ok().contentType(EVENT_STREAM).header("Cache-Control", "no-cache").body(emitter);
    }

    /** An event with JSON data; {@code name} may be null for unnamed events. */
    public void send(String name, Object data) {
        add(new Event(frame(name, data), false));
    }

    /** The last event: the stream ends after it. Text data (OpenAI's {@code [DONE]}) goes as it is. */
    public void finish(String name, Object data) {
        add(new Event(frame(name, data), true));
    }

    private String frame(String name, Object data) {
        String text;
        try {
            text = data instanceof String s ? s : json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an event's data as JSON", e);
        }
        StringBuilder event = new StringBuilder(text.length() + 32);
        if (name != null) {
            event.append("event: ").append(name).append('\n');
        }
        for (String line : text.split("\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        return event.append('\n').toString();
    }

    private synchronized void add(Event event) {
        events.add(event);
        if (!started) {
            started = true;
            Thread.ofVirtual().name("allinone-sse").start(this::write);
        }
    }

    private void write() {
        try {
            while (true) {
                Event event = events.take();
                emitter.send(event.text(), TEXT);
                if (event.last()) {
                    emitter.complete();
                    return;
                }
            }
        } catch (IOException | IllegalStateException e) {
            control.cancel(); // the client went away, or the emitter timed out: stop the model
            try {
                emitter.completeWithError(e);
            } catch (IllegalStateException ended) {
                // The container already ended the response after its own error: nothing left to close.
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            control.cancel();
        }
    }
}
