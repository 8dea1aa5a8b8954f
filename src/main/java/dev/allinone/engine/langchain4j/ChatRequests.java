package dev.allinone.engine.langchain4j;

import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.ChoiceResult;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.api.ParameterRange;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.constraint.JsonSchema;
import dev.allinone.engine.constraint.SchemaCompiler;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.UUID;

/** Translation between LangChain4j's chat requests and responses and the engine's terms, for both chat models. */
public final class ChatRequests {

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

    static GenerationSettings settings(ChatRequest request, LocalEngine engine) {
        ChatRequestParameters p = request.parameters();
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("This model does not call tools");
        }
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
        return new GenerationSettings(sampling, maxNewTokens, p.stopSequences(), schema(p.responseFormat()));
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

    static ChatResponse response(GenerationResult result, LocalEngine engine) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(result.text()))
                .metadata(EngineResponseMetadata.builder()
                        .id(UUID.randomUUID().toString())
                        .modelName(engine.modelId())
                        .tokenUsage(new TokenUsage(result.promptTokens(), result.outputTokens()))
                        .finishReason(switch (result.finish()) {
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
