package dev.allinone.engine.langchain4j;

import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.engine.tools.ToolUse;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * LangChain4j's {@link StreamingChatModel} on the same engine (and the same loaded weights) as
 * {@link EngineChatModel}. Text arrives in whole characters on the inference thread; a handler can stop the
 * generation through {@link PartialResponseContext#streamingHandle()}.
 */
public class EngineStreamingChatModel extends EngineModelSupport implements StreamingChatModel {

    public EngineStreamingChatModel(LocalEngine engine, List<ChatModelListener> listeners) {
        super(engine, listeners);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        try {
            RequestControl control = RequestControl.current();
            ToolUse tools = ChatRequests.tools(request.parameters());
            List<PromptEncoder.Message> messages = PromptMessages.of(request.messages(), tools.tools());
            Optional<ChoiceFormat> choice = tools.mayCall() ? Optional.empty()
                    : ChoiceFormat.of(request.parameters().responseFormat());
            Handle handle = new Handle(control);
            PartialResponseContext context = new PartialResponseContext(handle);
            if (choice.isPresent()) {
                Integer maxTokens = request.parameters().maxOutputTokens();
                engine.choose(messages, choice.get().choices(), control).whenComplete((result, error) -> {
                    if (error != null) {
                        handler.onError(unwrap(error));
                        return;
                    }
                    // The chosen answer arrives whole, as one partial response, through the same method as text.
                    var response = ChatRequests.response(result, choice.get(), maxTokens, engine);
                    handler.onPartialResponse(new PartialResponse(response.aiMessage().text()), context);
                    handler.onCompleteResponse(response);
                });
                return;
            }
            engine.generate(messages, ChatRequests.settings(request, tools, engine),
                            delta -> handler.onPartialResponse(new PartialResponse(delta), context), control)
                    .whenComplete((result, error) -> {
                        if (error != null) {
                            handler.onError(unwrap(error));
                            return;
                        }
                        // A call is not streamed as text: it arrives whole, as a complete tool call, then the response.
                        var response = ChatRequests.response(result, tools, engine);
                        List<ToolExecutionRequest> calls = response.aiMessage().toolExecutionRequests();
                        for (int i = 0; i < calls.size(); i++) {
                            handler.onCompleteToolCall(new CompleteToolCall(i, calls.get(i)));
                        }
                        handler.onCompleteResponse(response);
                    });
        } catch (RuntimeException e) {
            handler.onError(e);
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Lets a handler stop its generation: it cancels the request, which the engine checks before every token. */
    private record Handle(RequestControl control) implements StreamingHandle {

        @Override
        public void cancel() {
            control.cancel();
        }

        @Override
        public boolean isCancelled() {
            return control.cancelled();
        }
    }
}
