package dev.allinone.engine.langchain4j;

import dev.allinone.engine.EngineAutoConfiguration;
import dev.allinone.engine.LocalEngine;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Fallback;

/**
 * The local model as LangChain4j's {@link ChatModel} and {@link StreamingChatModel}, under names of their own.
 * They are added beside any chat model the host application has (an OpenAI one, say): allinone's services and
 * endpoints use these by name, so a host's model never takes their place. They are {@link Fallback} beans: where
 * the host injects a {@code ChatModel} by type alone it gets its own, and ours only when it has none. A host's
 * {@code @AiService} uses the local model by naming it ({@code @AiService(wiringMode = EXPLICIT, chatModel =
 * "allinoneChatModel")}). Replacing the local model is explicit: a bean of the same name.
 */
@AutoConfiguration(after = EngineAutoConfiguration.class)
public class EngineChatModelAutoConfiguration {

    /** Name of the local {@link ChatModel} bean, for {@code @AiService(chatModel = ...)} and qualifiers. */
    public static final String CHAT_MODEL = "allinoneChatModel";
    /** Name of the local {@link StreamingChatModel} bean. */
    public static final String STREAMING_CHAT_MODEL = "allinoneStreamingChatModel";
    /** Name of the local model's {@link TokenCountEstimator} bean. */
    public static final String TOKEN_COUNT_ESTIMATOR = "allinoneTokenCountEstimator";

    @Bean(CHAT_MODEL)
    @Fallback
    @ConditionalOnMissingBean(name = CHAT_MODEL)
    EngineChatModel allinoneChatModel(LocalEngine engine, ObjectProvider<ChatModelListener> listeners) {
        return new EngineChatModel(engine, listeners.orderedStream().toList());
    }

    @Bean(STREAMING_CHAT_MODEL)
    @Fallback
    @ConditionalOnMissingBean(name = STREAMING_CHAT_MODEL)
    EngineStreamingChatModel allinoneStreamingChatModel(LocalEngine engine, ObjectProvider<ChatModelListener> listeners) {
        return new EngineStreamingChatModel(engine, listeners.orderedStream().toList());
    }

    @Bean(TOKEN_COUNT_ESTIMATOR)
    @Fallback
    @ConditionalOnMissingBean(name = TOKEN_COUNT_ESTIMATOR)
    EngineTokenCountEstimator allinoneTokenCountEstimator(LocalEngine engine) {
        return new EngineTokenCountEstimator(engine);
    }
}
