package dev.allinone.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.langchain4j.EngineChatModelAutoConfiguration;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.model.ModelProperties;
import dev.allinone.web.ServerTiming;
import dev.allinone.web.SseEventQueue;
import dev.allinone.web.errors.ApiController;
import dev.allinone.web.errors.ErrorResponses;
import dev.allinone.web.errors.NotFoundException;
import dev.allinone.web.errors.Problems;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The part of OpenAI's API that OpenAI clients (LangChain4j's {@code OpenAiChatModel}, the OpenAI SDKs, ...)
 * need to use this service's model: chat completions, blocking or streamed in OpenAI's chunk format, and the
 * model list. Served by the same chat models as everything else, so the same queue, deadlines and KV reuse
 * apply.
 */
@RestController
@ApiController
@RequestMapping("/v1")
@Tag(name = "OpenAI-compatible", description = "Chat completions and models, as OpenAI clients expect them")
class OpenAiController {

    private final ChatModel chatModel;
    private final StreamingChatModel streamingChatModel;
    private final Problems problems;
    private final ObjectMapper json;
    private final String modelId;

    OpenAiController(@Qualifier(EngineChatModelAutoConfiguration.CHAT_MODEL) ChatModel chatModel,
                     @Qualifier(EngineChatModelAutoConfiguration.STREAMING_CHAT_MODEL) StreamingChatModel streamingChatModel,
                     Problems problems, ObjectMapper json, OpenAiProperties properties, ModelProperties model) {
        this.chatModel = chatModel;
        this.streamingChatModel = streamingChatModel;
        this.problems = problems;
        this.json = json;
        this.modelId = properties.modelId() == null || properties.modelId().isBlank() ? model.id() : properties.modelId();
    }

    @Operation(summary = "The one model this service runs")
    @GetMapping("/models")
    Map<String, Object> models() {
        return Map.of("object", "list", "data", List.of(model()));
    }

    /**
     * One model by id. The id has a slash ({@code Qwen/Qwen1.5-0.5B-Chat}): OpenAI's SDKs send it encoded
     * ({@code Qwen%2FQwen1.5-0.5B-Chat}), others as two path segments; both arrive here decoded.
     */
    @Operation(summary = "One model by id: this service's, or 404")
    @GetMapping("/models/{*id}")
    Map<String, Object> model(@PathVariable String id) {
        String wanted = id.startsWith("/") ? id.substring(1) : id;
        if (!wanted.equals(modelId)) {
            throw new NotFoundException("The model '" + (wanted.length() > 100 ? wanted.substring(0, 100) + "…" : wanted)
                    + "' does not exist; this server runs '" + modelId + "'", "model");
        }
        return model();
    }

    private Map<String, Object> model() {
        return Map.of("id", modelId, "object", "model", "created", 0, "owned_by", "allinone");
    }

    @Operation(summary = "A chat completion: JSON, or with stream=true Server-Sent Events of chunks ending with [DONE]")
    @ApiResponse(responseCode = "400", description = "Invalid request: OpenAI's error object, param naming the field",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = Object.class)))
    @ApiResponse(responseCode = "503", description = "Model loading or busy (Retry-After)",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = Object.class)))
    @ApiResponse(responseCode = "504", description = "The request's deadline passed",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = Object.class)))
    @PostMapping(path = "/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> completions(@RequestBody OpenAiRequest request) {
        ChatRequest chatRequest = OpenAiTranslation.chatRequest(request);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        if (request.streaming()) {
            return stream(chatRequest, request, id, created);
        }
        ChatResponse response = chatModel.chat(chatRequest);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", response.aiMessage().text());
        message.put("refusal", null);
        if (response.aiMessage().hasToolExecutionRequests()) {
            message.put("tool_calls", toolCalls(response, false));
        }
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("logprobs", null);
        choice.put("finish_reason", OpenAiTranslation.finishReason(response.finishReason()));
        Map<String, Object> body = completion(id, "chat.completion", created);
        body.put("choices", List.of(choice));
        body.put("usage", usage(response));
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON);
        ServerTiming.of(response).ifPresent(timing -> ok.header(ServerTiming.HEADER, timing));
        return ok.body(body);
    }

    private ResponseEntity<ResponseBodyEmitter> stream(ChatRequest chatRequest, OpenAiRequest request, String id, long created) {
        RequestControl control = RequestControl.current();
        SseEventQueue events = new SseEventQueue(control, json);
        boolean includeUsage = request.streamOptions() != null && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        events.send(null, chunk(id, created, Map.of("role", "assistant", "content", ""), null, includeUsage));
        streamingChatModel.chat(chatRequest, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                events.send(null, chunk(id, created, Map.of("content", partial.text()), null, includeUsage));
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                if (response.aiMessage().hasToolExecutionRequests()) {
                    // The call arrives whole, in one delta (OpenAI's clients join deltas by index either way).
                    events.send(null, chunk(id, created, Map.of("tool_calls", toolCalls(response, true)), null, includeUsage));
                }
                events.send(null, chunk(id, created, Map.of(), OpenAiTranslation.finishReason(response.finishReason()),
                        includeUsage));
                if (includeUsage) {
                    Map<String, Object> usageChunk = completion(id, "chat.completion.chunk", created);
                    usageChunk.put("choices", List.of());
                    usageChunk.put("usage", usage(response));
                    events.send(null, usageChunk);
                }
                events.finish(null, "[DONE]");
            }

            @Override
            public void onError(Throwable error) {
                // After the stream started: the error as an event, then the end, as OpenAI's API does.
                events.send(null, ErrorResponses.openAi(problems.of(error)));
                events.finish(null, "[DONE]");
            }
        });
        return events.response();
    }

    /** The calls of an answer, as OpenAI writes them (in a stream's delta, each with its index). */
    private static List<Map<String, Object>> toolCalls(ChatResponse response, boolean indexed) {
        List<Map<String, Object>> calls = new ArrayList<>();
        for (var request : response.aiMessage().toolExecutionRequests()) {
            Map<String, Object> call = new LinkedHashMap<>();
            if (indexed) {
                call.put("index", calls.size());
            }
            call.put("id", request.id());
            call.put("type", "function");
            call.put("function", Map.of("name", request.name(), "arguments", request.arguments()));
            calls.add(call);
        }
        return calls;
    }

    /** A chunk; with usage asked for, every chunk but the last carries {@code "usage": null}, as OpenAI's do. */
    private Map<String, Object> chunk(String id, long created, Map<String, Object> delta, String finishReason,
                                      boolean includeUsage) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason);
        Map<String, Object> chunk = completion(id, "chat.completion.chunk", created);
        chunk.put("choices", List.of(choice));
        if (includeUsage) {
            chunk.put("usage", null);
        }
        return chunk;
    }

    private Map<String, Object> completion(String id, String object, long created) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", object);
        body.put("created", created);
        body.put("model", modelId);
        return body;
    }

    private static Map<String, Object> usage(ChatResponse response) {
        int in = response.tokenUsage() == null || response.tokenUsage().inputTokenCount() == null ? 0
                : response.tokenUsage().inputTokenCount();
        int out = response.tokenUsage() == null || response.tokenUsage().outputTokenCount() == null ? 0
                : response.tokenUsage().outputTokenCount();
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", in);
        usage.put("completion_tokens", out);
        usage.put("total_tokens", in + out);
        return usage;
    }
}
