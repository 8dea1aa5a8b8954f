package dev.allinone.testing;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** What a streaming chat model delivered: the deltas in order, the complete tool calls, then the complete response. */
public record Streamed(List<String> deltas, List<CompleteToolCall> toolCalls, ChatResponse response) {

    /** Streams the request to its end (at most a minute). */
    public static Streamed from(StreamingChatModel model, ChatRequest request) throws Exception {
        return from(model, request, -1);
    }

    /** Streams the request, cancelling after {@code cancelAfter} deltas (-1: never). */
    public static Streamed from(StreamingChatModel model, ChatRequest request, int cancelAfter) throws Exception {
        List<String> deltas = new CopyOnWriteArrayList<>();
        List<CompleteToolCall> toolCalls = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                deltas.add(partial.text());
                if (deltas.size() == cancelAfter) {
                    context.streamingHandle().cancel();
                }
            }

            @Override
            public void onCompleteToolCall(CompleteToolCall call) {
                toolCalls.add(call);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        return new Streamed(deltas, toolCalls, done.get(60, TimeUnit.SECONDS));
    }

    public String text() {
        return String.join("", deltas);
    }
}
