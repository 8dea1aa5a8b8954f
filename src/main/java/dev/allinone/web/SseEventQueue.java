package dev.allinone.web;

import dev.allinone.engine.RequestControl;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Server-Sent Events written off the model's thread: producers (the inference thread) only queue events; a
 * virtual thread, started with the first event, writes them. A slow client never holds the model up, and a
 * failed write (the client hung up) cancels the request, so the model stops within one token.
 */
public final class SseEventQueue {

    private record Event(String name, Object data, MediaType type, boolean last) {
    }

    private final SseEmitter emitter;
    private final RequestControl control;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private boolean started;

    public SseEventQueue(SseEmitter emitter, RequestControl control) {
        this.emitter = emitter;
        this.control = control;
        emitter.onCompletion(control::cancel);
        emitter.onTimeout(control::cancel);
        emitter.onError(e -> control.cancel());
    }

    /** An event with JSON data; {@code name} may be null for unnamed events. */
    public void send(String name, Object data) {
        add(new Event(name, data, MediaType.APPLICATION_JSON, false));
    }

    /** An event with text data. */
    public void sendText(String name, String data) {
        add(new Event(name, data, MediaType.TEXT_PLAIN, false));
    }

    /** The last event: the stream ends after it. */
    public void finish(String name, Object data) {
        add(new Event(name, data, data instanceof String ? MediaType.TEXT_PLAIN : MediaType.APPLICATION_JSON, true));
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
                SseEmitter.SseEventBuilder sse = SseEmitter.event().data(event.data(), event.type());
                if (event.name() != null) {
                    sse.name(event.name());
                }
                emitter.send(sse);
                if (event.last()) {
                    emitter.complete();
                    return;
                }
            }
        } catch (IOException | IllegalStateException e) {
            control.cancel(); // the client went away, or the emitter timed out: stop the model
            emitter.completeWithError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            control.cancel();
        }
    }
}
