package dev.allinone.sentiment;

import dev.allinone.engine.langchain4j.EngineChatModelAutoConfiguration;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.service.AiServices;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link SentimentAnalyst} on the local model. Built here rather than found by LangChain4j's
 * {@code @AiService} scan, so that it is wired to the local model whatever else the host application has, and
 * adds nothing a host's own AI services could pick up.
 */
@AutoConfiguration(after = EngineChatModelAutoConfiguration.class)
public class SentimentAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SentimentAnalyst sentimentAnalyst(@Qualifier(EngineChatModelAutoConfiguration.CHAT_MODEL) ChatModel chatModel) {
        return AiServices.builder(SentimentAnalyst.class).chatModel(chatModel).build();
    }

    /** The analyst's labels in the weight-format quality report (measured at the first start of a format). */
    @Bean
    @ConditionalOnMissingBean(SentimentQualityCheck.class)
    SentimentQualityCheck sentimentQualityCheck() {
        return new SentimentQualityCheck();
    }
}
