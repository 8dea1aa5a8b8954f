package dev.allinone.web;

import dev.allinone.engine.api.Timings;
import dev.allinone.engine.langchain4j.EngineResponseMetadata;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.Locale;
import java.util.Optional;

/**
 * The {@code Server-Timing} response header (W3C) of an answer the engine gave: how long the request waited for
 * the model ({@code queue}) and how long the model worked on it ({@code model}: prefill, and generation or
 * scoring), in milliseconds. Browsers' developer tools show it; the benchmark compares it with the whole path.
 */
public final class ServerTiming {

    public static final String HEADER = "Server-Timing";

    private ServerTiming() {
    }

    public static Optional<String> of(ChatResponse response) {
        if (response == null || !(response.metadata() instanceof EngineResponseMetadata metadata) || metadata.timings() == null) {
            return Optional.empty();
        }
        Timings t = metadata.timings();
        return Optional.of(String.format(Locale.ROOT, "queue;dur=%.1f, model;dur=%.1f", t.queuedNanos() / 1e6,
                (t.prefillNanos() + t.decodeNanos()) / 1e6));
    }
}
