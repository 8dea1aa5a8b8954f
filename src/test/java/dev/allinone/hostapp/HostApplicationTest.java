package dev.allinone.hostapp;

import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.sentiment.Sentiment;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.testing.Http;
import dev.allinone.testing.TestModels;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host application in its own package brings its own {@link ChatModel} under its own bean name: our AI
 * services and API use it instead of the engine's.
 */
@SpringBootTest(classes = HostApplicationTest.HostApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "allinone.model.offline=true")
class HostApplicationTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class HostApplication {

        /** The host's own model: a rule-based one, so its answers are recognisable. */
        @Bean
        ChatModel hostRulesModel() {
            return new ChatModel() {
                @Override
                public ChatResponse doChat(ChatRequest request) {
                    String text = ((UserMessage) request.messages().get(request.messages().size() - 1)).singleText();
                    String answer = request.responseFormat() != null && request.responseFormat().jsonSchema() != null
                            ? (text.contains("angry") ? "{\"value\":\"NEGATIVE\"}" : "{\"value\":\"NEUTRAL\"}")
                            : "host says: " + text;
                    return ChatResponse.builder().aiMessage(AiMessage.from(answer)).build();
                }

                @Override
                public Set<Capability> supportedCapabilities() {
                    return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
                }
            };
        }
    }

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("allinone.model.models-dir", () -> TestModels.tiny().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Autowired
    SentimentAnalyst analyst;

    @Test
    void theHostsChatModelReplacesTheEngineEverywhere() {
        assertThat(context.getBeansOfType(EngineChatModel.class)).isEmpty();
        assertThat(context.getBeansOfType(ChatModel.class)).containsOnlyKeys("hostRulesModel");
        assertThat(analyst.analyze("I am angry")).isEqualTo(Sentiment.NEGATIVE);

        Http http = new Http(port);
        Http.Response sentiment = http.post("/api/sentiment", Http.json(Map.of("text", "so angry")));
        assertThat(sentiment.status()).isEqualTo(200);
        assertThat(sentiment.json().get("sentiment").asText()).isEqualTo("NEGATIVE");
        assertThat(sentiment.json().get("scores").get("NEGATIVE").asDouble()).isEqualTo(1.0);

        Http.Response chat = http.post("/api/chat", Http.json(Map.of("message", "hello")));
        assertThat(chat.status()).isEqualTo(200);
        assertThat(chat.json().get("reply").asText()).isEqualTo("host says: hello");
    }
}
