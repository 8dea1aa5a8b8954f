package dev.allinone.engine;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.UUID;

/** Translation between LangChain4j's chat requests and responses and the engine's terms, for both chat models. */
final class ChatRequests {

    private ChatRequests() {
    }

    /** The model's recommended sampling and the configured answer cap, as LangChain4j defaults. */
    static ChatRequestParameters defaults(LocalEngine engine) {
        SamplingSettings sampling = engine.defaults().sampling();
        return DefaultChatRequestParameters.builder()
                .modelName(engine.properties().id())
                .temperature(sampling.temperature())
                .topP(sampling.topP())
                .topK(sampling.topK() > 0 ? sampling.topK() : null)
                .maxOutputTokens(engine.properties().maxNewTokens())
                .build();
    }

    static GenerationSettings settings(ChatRequest request, LocalEngine engine) {
        ChatRequestParameters p = request.parameters();
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("This model does not call tools");
        }
        SamplingSettings d = engine.defaults().sampling();
        SamplingSettings sampling = new SamplingSettings(
                p.temperature() != null ? p.temperature() : d.temperature(),
                p.topP() != null ? p.topP() : d.topP(),
                p.topK() != null ? p.topK() : d.topK(),
                d.repetitionPenalty(),
                p.frequencyPenalty() != null ? p.frequencyPenalty() : 0,
                p.presencePenalty() != null ? p.presencePenalty() : 0);
        int maxNewTokens = p.maxOutputTokens() != null ? p.maxOutputTokens() : engine.properties().maxNewTokens();
        return new GenerationSettings(sampling, maxNewTokens, p.stopSequences());
    }

    static ChatResponse response(GenerationResult result, LocalEngine engine) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(result.text()))
                .metadata(EngineResponseMetadata.builder()
                        .id(UUID.randomUUID().toString())
                        .modelName(engine.properties().id())
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

    static ChatResponse response(ChoiceResult result, ChoiceFormat format, LocalEngine engine) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(format.render(result.choice())))
                .metadata(EngineResponseMetadata.builder()
                        .id(UUID.randomUUID().toString())
                        .modelName(engine.properties().id())
                        // Nothing was generated: the answer was scored, not sampled.
                        .tokenUsage(new TokenUsage(result.promptTokens(), 0))
                        .finishReason(FinishReason.STOP)
                        .choiceProbabilities(result.probabilities())
                        .cachedTokens(result.cachedTokens())
                        .timings(result.timings())
                        .build())
                .build();
    }
}
