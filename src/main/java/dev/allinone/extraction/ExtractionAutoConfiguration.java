package dev.allinone.extraction;

import dev.allinone.engine.langchain4j.EngineChatModelAutoConfiguration;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.service.AiServices;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** The {@link TicketExtractor} on the local model, wired as the sentiment analyst is (see there why). */
@AutoConfiguration(after = EngineChatModelAutoConfiguration.class)
@EnableConfigurationProperties(ExtractionProperties.class)
public class ExtractionAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TicketExtractor ticketExtractor(@Qualifier(EngineChatModelAutoConfiguration.CHAT_MODEL) ChatModel chatModel,
                                    ExtractionProperties properties) {
        ChatRequestParameters budget = ChatRequestParameters.builder().maxOutputTokens(properties.maxTokens()).build();
        return AiServices.builder(TicketExtractor.class).chatModel(chatModel)
                .chatRequestTransformer(request -> request.toBuilder()
                        .parameters(request.parameters().overrideWith(budget)).build())
                .build();
    }
}
