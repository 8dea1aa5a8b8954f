package dev.allinone.starter;

import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.engine.langchain4j.EngineChatModelAutoConfiguration;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.testing.Http;
import dev.allinone.testing.TestModels;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host application that already has a chat model of its own (a paid remote one, say; here one that counts its
 * calls) adds allinone: both models exist, the host's own injection points keep the host's, and allinone's
 * services and endpoints answer from the local model, never from the host's.
 */
@SpringBootTest(classes = HostApplicationTest.HostApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"allinone.model.offline=true", "allinone.api.enabled=true", "allinone.openai.enabled=true",
                "allinone.engine.warm-up=false", "spring.application.name=host-app-test"})
class HostApplicationTest {

    static final AtomicInteger hostCalls = new AtomicInteger();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class HostApplication {

        /** The host's own model, its primary one, as an application using OpenAI's would have. */
        @Bean
        @Primary
        ChatModel openAiChatModel() {
            return new ChatModel() {
                @Override
                public ChatResponse doChat(ChatRequest request) {
                    hostCalls.incrementAndGet();
                    String text = ((UserMessage) request.messages().get(request.messages().size() - 1)).singleText();
                    return ChatResponse.builder().aiMessage(AiMessage.from("host says: " + text)).build();
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
    ChatModel hostsInjection;

    @Autowired
    @Qualifier(EngineChatModelAutoConfiguration.CHAT_MODEL)
    ChatModel local;

    @Autowired
    SentimentAnalyst analyst;

    @Test
    void bothModelsExistAndEachIsUsedWhereItBelongs() {
        assertThat(context.getBeansOfType(ChatModel.class)).containsOnlyKeys("openAiChatModel", "allinoneChatModel");
        assertThat(hostsInjection).isSameAs(context.getBean("openAiChatModel"));
        assertThat(local).isInstanceOf(EngineChatModel.class);
        int before = hostCalls.get();

        assertThat(analyst.analyzeWithDetails("I am angry").finalResponse().metadata().modelName())
                .isEqualTo(TestModels.MODEL_ID);

        Http http = new Http(port);
        Http.Response sentiment = http.post("/api/sentiment", Http.json(Map.of("text", "so angry")));
        assertThat(sentiment.status()).isEqualTo(200);
        // The local model's label probabilities, not a host's answer.
        assertThat(sentiment.json().get("scores").get("NEGATIVE").asDouble()).isBetween(0.0, 1.0);

        Http.Response chat = http.post("/api/chat", Http.json(Map.of("message", "hello")));
        assertThat(chat.status()).isEqualTo(200);
        assertThat(chat.json().get("reply").asText()).doesNotStartWith("host says");

        Http.Response openai = http.post("/v1/chat/completions", Http.json(Map.of("model", TestModels.MODEL_ID,
                "max_tokens", 4, "messages", java.util.List.of(Map.of("role", "user", "content", "hello")))));
        assertThat(openai.status()).isEqualTo(200);
        assertThat(openai.json().at("/choices/0/message/content").asText()).doesNotStartWith("host says");

        assertThat(hostCalls.get()).as("calls that reached the host's model").isEqualTo(before);
        assertThat(hostsInjection.chat("hi")).isEqualTo("host says: hi"); // and the host's model still works
    }
}
