package dev.allinone.engine.langchain4j;

import dev.allinone.engine.LocalEngine;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.util.List;
import java.util.Set;

/** What the blocking and the streaming chat model share: the engine, listeners, defaults and capabilities. */
public abstract class EngineModelSupport {

    protected final LocalEngine engine;
    private final List<ChatModelListener> listeners;

    EngineModelSupport(LocalEngine engine, List<ChatModelListener> listeners) {
        this.engine = engine;
        this.listeners = List.copyOf(listeners);
    }

    /** The model's recommended sampling (the answer cap is the engine's own default, see ChatRequests). */
    public ChatRequestParameters defaultRequestParameters() {
        return ChatRequests.defaults(engine);
    }

    /**
     * JSON schemas: those that allow a fixed set of values (enums, booleans) are answered by scoring each value,
     * all others by decoding held to the schema; either way the answer is valid.
     */
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }

    public List<ChatModelListener> listeners() {
        return listeners;
    }
}
