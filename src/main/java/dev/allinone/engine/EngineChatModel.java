package dev.allinone.engine;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * LangChain4j's {@link ChatModel} on the local engine. Blocking: the caller waits for its turn on the model
 * and for the answer. Honours temperature, top-p, top-k, frequency and presence penalties, max output tokens
 * (new tokens only) and stop sequences per request; calls the registered listeners; and answers a JSON schema
 * that allows a fixed set of values (enums) with the most probable allowed value, never with invalid JSON.
 */
public class EngineChatModel extends EngineModelSupport implements ChatModel {

    public EngineChatModel(LocalEngine engine, List<ChatModelListener> listeners) {
        super(engine, listeners);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        List<PromptEncoder.Message> messages = PromptMessages.of(request.messages());
        Optional<ChoiceFormat> choice = ChoiceFormat.of(request.parameters().responseFormat());
        if (choice.isPresent()) {
            ChoiceResult result = await(engine.choose(messages, choice.get().choices()), null);
            return ChatRequests.response(result, choice.get(), engine);
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        GenerationSettings settings = ChatRequests.settings(request, engine);
        GenerationResult result = await(engine.generate(messages, settings, TokenListener.NONE, cancelled::get), cancelled);
        return ChatRequests.response(result, engine);
    }

    /** Waits for the model; an interrupted caller cancels its request (stops within one token). */
    private static <T> T await(CompletableFuture<T> future, AtomicBoolean cancelled) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            if (cancelled != null) {
                cancelled.set(true);
            }
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new CancellationException("Interrupted while waiting for the model");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
