package dev.allinone.engine.langchain4j;

import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.ChoiceResult;
import dev.allinone.engine.api.DeadlineExceededException;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.engine.tools.ToolUse;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * LangChain4j's {@link ChatModel} on the local engine. Blocking: the caller waits for its turn on the model
 * and for the answer. Honours temperature, top-p, top-k, frequency and presence penalties, max output tokens
 * (new tokens only) and stop sequences per request; calls the registered listeners; answers a JSON schema that
 * allows a fixed set of values (enums) with the most probable allowed value, and any other JSON schema with an
 * answer held to it token by token (see {@code engine.constraint}): never with invalid JSON. Calls tools: a turn
 * with tools is a text answer or one call of a tool with arguments valid for it (see {@code engine.tools}).
 */
public class EngineChatModel extends EngineModelSupport implements ChatModel {

    public EngineChatModel(LocalEngine engine, List<ChatModelListener> listeners) {
        super(engine, listeners);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        RequestControl control = RequestControl.current();
        ToolUse tools = ChatRequests.tools(request.parameters());
        List<PromptEncoder.Message> messages = PromptMessages.of(request.messages(), tools.tools());
        Optional<ChoiceFormat> choice = tools.mayCall() ? Optional.empty()
                : ChoiceFormat.of(request.parameters().responseFormat());
        if (choice.isPresent()) {
            ChoiceResult result = await(engine.choose(messages, choice.get().choices(), control), control);
            return ChatRequests.response(result, choice.get(), request.parameters().maxOutputTokens(), engine);
        }
        GenerationSettings settings = ChatRequests.settings(request, tools, engine);
        GenerationResult result = await(engine.generate(messages, settings, TokenListener.NONE, control), control);
        return ChatRequests.response(result, tools, engine);
    }

    /**
     * Waits for the model until the request's deadline. Past it, or when the caller is interrupted, the request
     * is cancelled: dropped from the queue, or stopped within one token.
     */
    private static <T> T await(CompletableFuture<T> future, RequestControl control) {
        try {
            long remaining = control.remainingNanos();
            return remaining == Long.MAX_VALUE ? future.get() : future.get(remaining, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            control.cancel();
            future.cancel(false);
            throw new DeadlineExceededException("The request's deadline passed before the model answered");
        } catch (InterruptedException e) {
            control.cancel();
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
