package dev.allinone.companion;

import dev.allinone.conversation.ConversationAutoConfiguration;
import dev.allinone.conversation.ConversationProperties;
import dev.allinone.conversation.ConversationRepository;
import dev.allinone.engine.EngineAutoConfiguration;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.langchain4j.model.TokenCountEstimator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.beans.factory.annotation.Qualifier;
import dev.langchain4j.model.chat.ChatModel;

/**
 * The companion's conversations: a {@link ConversationStore} over the configured repository, and the memory
 * provider the {@link Companion} is wired to by name (and only it: the sentiment analyst has no memory). Every
 * bean can be replaced.
 */
@AutoConfiguration(after = {EngineAutoConfiguration.class, ConversationAutoConfiguration.class})
@EnableConfigurationProperties(CompanionProperties.class)
// LangChain4j's @AiService scanner looks in the auto-configuration packages: add ours, so the companion and the
// sentiment analyst exist in a host application whose own packages are elsewhere.
@AutoConfigurationPackage(basePackageClasses = {Companion.class, SentimentAnalyst.class})
public class CompanionAutoConfiguration {

    /** Bean name the {@link Companion} is wired to. */
    public static final String CHAT_MEMORY_PROVIDER = "companionChatMemoryProvider";

    @Bean
    @ConditionalOnMissingBean
    ConversationStore conversationStore(ConversationRepository repository, ConversationProperties properties) {
        return new ConversationStore(repository, properties);
    }

    @Bean(CHAT_MEMORY_PROVIDER)
    @ConditionalOnMissingBean(name = CHAT_MEMORY_PROVIDER)
    ChatMemoryProvider companionChatMemoryProvider(ConversationStore store, CompanionProperties properties,
                                                   TokenCountEstimator tokens) {
        return conversationId -> new ConversationMemory(conversationId, store, properties.memoryWindow(),
                properties.memoryTokens(), tokens);
    }

    /** The engine warmed up in the background once the application is ready. */
    @Bean
    @ConditionalOnProperty(prefix = "allinone.engine", name = "warm-up", matchIfMissing = true)
    WarmUp allinoneWarmUp(SentimentAnalyst analyst, @Qualifier(EngineAutoConfiguration.CHAT_MODEL) ChatModel chatModel) {
        return new WarmUp(analyst, chatModel);
    }

    @Bean
    @ConditionalOnMissingBean
    ConversationService conversationService(ConversationStore store, Companion companion, SentimentAnalyst analyst) {
        return new ConversationService(store, companion, analyst);
    }
}
