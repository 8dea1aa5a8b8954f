package dev.allinone.companion;

import dev.allinone.conversation.ConversationAutoConfiguration;
import dev.allinone.conversation.ConversationProperties;
import dev.allinone.conversation.ConversationRepository;
import dev.allinone.engine.langchain4j.EngineChatModelAutoConfiguration;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.sentiment.SentimentAutoConfiguration;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.service.AiServices;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The support companion: a {@link CompanionConversations} over the configured repository, the {@link Companion} on the
 * local model with a memory window per conversation in that store, and the conversations it holds. Every bean
 * can be replaced.
 */
@AutoConfiguration(after = {EngineChatModelAutoConfiguration.class, SentimentAutoConfiguration.class,
        ConversationAutoConfiguration.class})
@EnableConfigurationProperties(CompanionProperties.class)
public class CompanionAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    CompanionConversations companionConversations(ConversationRepository repository, ConversationProperties properties) {
        return new CompanionConversations(repository, properties);
    }

    @Bean
    @ConditionalOnMissingBean
    Companion companion(@Qualifier(EngineChatModelAutoConfiguration.CHAT_MODEL) ChatModel chatModel,
                        @Qualifier(EngineChatModelAutoConfiguration.STREAMING_CHAT_MODEL) StreamingChatModel streaming,
                        @Qualifier(EngineChatModelAutoConfiguration.TOKEN_COUNT_ESTIMATOR) TokenCountEstimator tokens,
                        CompanionConversations store, CompanionProperties properties) {
        ChatMemoryProvider memory = conversationId -> new ConversationMemory(conversationId, store,
                properties.memoryWindow(), properties.memoryTokens(), tokens);
        return AiServices.builder(Companion.class).chatModel(chatModel).streamingChatModel(streaming)
                .chatMemoryProvider(memory).build();
    }

    /** The engine warmed up in the background once the application is ready. */
    @Bean
    @ConditionalOnProperty(prefix = "allinone.engine", name = "warm-up", matchIfMissing = true)
    WarmUp allinoneWarmUp(SentimentAnalyst analyst, @Qualifier(EngineChatModelAutoConfiguration.CHAT_MODEL) ChatModel chatModel) {
        return new WarmUp(analyst, chatModel);
    }

    @Bean
    @ConditionalOnMissingBean
    ConversationService conversationService(CompanionConversations store, Companion companion, SentimentAnalyst analyst) {
        return new ConversationService(store, companion, analyst);
    }
}
