package dev.allinone.engine.langchain4j;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.ChoiceResult;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.api.ParameterRange;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.constraint.JsonSchema;
import dev.allinone.engine.constraint.SchemaCompiler;
import dev.allinone.engine.tools.ToolCall;
import dev.allinone.engine.tools.ToolCallSyntax;
import dev.allinone.engine.tools.ToolDefinition;
import dev.allinone.engine.tools.ToolUse;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Translation between LangChain4j's chat requests and responses and the engine's terms, for both chat models. */
public final class ChatRequests {

    /** Marks, in a tool's metadata, the one tool a REQUIRED tool choice must call (OpenAI's named function). */
    public static final String CHOSEN_TOOL = "allinone.chosen";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatRequests() {
    }

    /**
     * The model's recommended sampling, as LangChain4j defaults. No answer cap: AI services copy these into every
     * request, and a request's own cap also cuts a chosen JSON answer; without one the engine applies
     * {@code allinone.engine.max-new-tokens} to generated answers only.
     */
    static ChatRequestParameters defaults(LocalEngine engine) {
        SamplingSettings sampling = engine.defaults().sampling();
        return DefaultChatRequestParameters.builder()
                .modelName(engine.modelId())
                .temperature(sampling.temperature())
                .topP(sampling.topP())
                .topK(sampling.topK() > 0 ? sampling.topK() : null)
                .build();
    }

    /**
     * The tools of a request and how they may be used ({@code toolChoice} absent: the model's choice). A tool
     * whose {@link ToolSpecification#metadata()} holds {@link #CHOSEN_TOOL} is the one tool a REQUIRED choice must
     * call (OpenAI's named function; LangChain4j's own choices name none).
     */
    static ToolUse tools(ChatRequestParameters p) {
        List<ToolSpecification> specs = p.toolSpecifications() == null ? List.of() : p.toolSpecifications();
        List<ToolDefinition> tools = new ArrayList<>(specs.size());
        String only = null;
        for (ToolSpecification spec : specs) {
            tools.add(new ToolDefinition(spec.name(), spec.description(), spec.parameters() == null ? null
                    : JSON.valueToTree(JsonSchemaElementUtils.toMap(spec.parameters(), false))));
            if (spec.metadata() != null && Boolean.TRUE.equals(spec.metadata().get(CHOSEN_TOOL))) {
                only = spec.name();
            }
        }
        ToolUse.Mode mode = p.toolChoice() == null ? ToolUse.Mode.AUTO : switch (p.toolChoice()) {
            case AUTO -> ToolUse.Mode.AUTO;
            case REQUIRED -> ToolUse.Mode.REQUIRED;
            case NONE -> ToolUse.Mode.NONE;
        };
        if (mode == ToolUse.Mode.REQUIRED && tools.isEmpty()) {
            throw new InvalidRequestException("toolChoice REQUIRED needs at least one tool", "tool_choice");
        }
        ToolUse use = new ToolUse(tools, mode, only);
        ToolCallSyntax.check(use);
        return use;
    }

    /**
     * The engine's settings. With tools that may be called, the answer is held to a call (REQUIRED), or to a call
     * or the answer's own form (AUTO): a JSON answer of the requested schema, else free text.
     */
    static GenerationSettings settings(ChatRequest request, ToolUse tools, LocalEngine engine) {
        ChatRequestParameters p = request.parameters();
        ParameterRange.TEMPERATURE.check(p.temperature(), "temperature");
        ParameterRange.TOP_P.check(p.topP(), "topP");
        ParameterRange.PENALTY.check(p.frequencyPenalty(), "frequencyPenalty");
        ParameterRange.PENALTY.check(p.presencePenalty(), "presencePenalty");
        if (p.topK() != null && p.topK() < 0) {
            throw new InvalidRequestException("topK must be 0 (off) or more, not " + p.topK(), "topK");
        }
        if (p.maxOutputTokens() != null && p.maxOutputTokens() < 1) {
            throw new InvalidRequestException("maxOutputTokens must be at least 1, not " + p.maxOutputTokens(),
                    "maxOutputTokens");
        }
        SamplingSettings d = engine.defaults().sampling();
        SamplingSettings sampling = new SamplingSettings(
                p.temperature() != null ? p.temperature() : d.temperature(),
                p.topP() != null ? p.topP() : d.topP(),
                p.topK() != null ? p.topK() : d.topK(),
                d.repetitionPenalty(),
                p.frequencyPenalty() != null ? p.frequencyPenalty() : 0,
                p.presencePenalty() != null ? p.presencePenalty() : 0);
        int maxNewTokens = p.maxOutputTokens() != null ? p.maxOutputTokens() : engine.settings().maxNewTokens();
        JsonSchema answer = schema(p.responseFormat());
        if (!tools.mayCall()) {
            return new GenerationSettings(sampling, maxNewTokens, p.stopSequences(), answer);
        }
        JsonSchema call = ToolCallSyntax.callSchema(tools);
        if (tools.mode() == ToolUse.Mode.REQUIRED) {
            return new GenerationSettings(sampling, maxNewTokens, p.stopSequences(), call);
        }
        return answer != null ? new GenerationSettings(sampling, maxNewTokens, p.stopSequences(), JsonSchema.either(call, answer))
                : new GenerationSettings(sampling, maxNewTokens, p.stopSequences(), call, true);
    }

    /**
     * The schema a JSON answer is held to (null for text): the request's JSON schema as LangChain4j writes it for
     * OpenAI's strict mode (every property present, the optional ones nullable: a record's fields are all there,
     * even in an answer its budget cut short), a raw schema as it is, or any JSON object when it names none.
     */
    static JsonSchema schema(ResponseFormat format) {
        if (format == null || format.type() != ResponseFormatType.JSON) {
            return null;
        }
        if (format.jsonSchema() == null || format.jsonSchema().rootElement() == null) {
            return SchemaCompiler.anyObject();
        }
        return SchemaCompiler.compile(JsonSchemaElementUtils.toMap(format.jsonSchema().rootElement(), true, true));
    }

    /** The answer: a tool call when the turn may call one and its text is a call, else the text. */
    static ChatResponse response(GenerationResult result, ToolUse tools, LocalEngine engine) {
        Optional<ToolCall> call = tools.mayCall() ? ToolCallSyntax.parse(result.text()) : Optional.empty();
        AiMessage message = call.map(c -> AiMessage.from(ToolExecutionRequest.builder()
                        .id("call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24))
                        .name(c.name()).arguments(c.arguments()).build()))
                .orElseGet(() -> AiMessage.from(result.text()));
        return ChatResponse.builder()
                .aiMessage(message)
                .metadata(EngineResponseMetadata.builder()
                        .id(UUID.randomUUID().toString())
                        .modelName(engine.modelId())
                        .tokenUsage(new TokenUsage(result.promptTokens(), result.outputTokens()))
                        .finishReason(call.isPresent() && result.finish() == GenerationResult.Finish.STOP
                                ? FinishReason.TOOL_EXECUTION : switch (result.finish()) {
                            case STOP -> FinishReason.STOP;
                            case LENGTH -> FinishReason.LENGTH;
                            case CANCELLED -> FinishReason.OTHER;
                        })
                        .cachedTokens(result.cachedTokens())
                        .timings(result.timings())
                        .build())
                .build();
    }

    /**
     * A chosen answer as the response: its JSON text, counted in tokens as if generated (clients bill and check
     * {@code completion_tokens}), and cut to {@code maxOutputTokens} tokens when a request asks for fewer than the
     * answer takes (as OpenAI cuts JSON at {@code max_tokens}, with finish reason {@code length}).
     */
    static ChatResponse response(ChoiceResult result, ChoiceFormat format, Integer maxOutputTokens, LocalEngine engine) {
        String text = format.render(result.choice());
        int[] tokens = engine.tokenize(text);
        FinishReason finish = FinishReason.STOP;
        if (maxOutputTokens != null && tokens.length > maxOutputTokens) {
            text = engine.detokenize(java.util.Arrays.copyOf(tokens, maxOutputTokens));
            tokens = java.util.Arrays.copyOf(tokens, maxOutputTokens);
            finish = FinishReason.LENGTH;
        }
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(text))
                .metadata(EngineResponseMetadata.builder()
                        .id(UUID.randomUUID().toString())
                        .modelName(engine.modelId())
                        .tokenUsage(new TokenUsage(result.promptTokens(), tokens.length))
                        .finishReason(finish)
                        .choiceProbabilities(result.probabilities())
                        .cachedTokens(result.cachedTokens())
                        .timings(result.timings())
                        .build())
                .build();
    }
}
