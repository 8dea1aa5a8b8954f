package dev.allinone.starter;

import com.sun.net.httpserver.HttpServer;
import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.engine.langchain4j.EngineChatModelAutoConfiguration;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.testing.Http;
import dev.allinone.testing.TestModels;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host application that already has a chat model of its own (LangChain4j's OpenAI client, against a local stand-in
 * for OpenAI that counts its calls) adds allinone: both models exist, the host's own injection points keep the host's, and allinone's
 * services and endpoints answer from the local model, never from the host's.
 */
@SpringBootTest(classes = HostApplicationTest.HostApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"allinone.model.offline=true", "allinone.api.enabled=true", "allinone.openai.enabled=true",
                "allinone.engine.warm-up=false", "spring.application.name=host-app-test"})
class HostApplicationTest {

    static final AtomicInteger hostCalls = new AtomicInteger();

    /** Stands in for api.openai.com: answers every chat completion with "host says: ..." and counts them. */
    static final HttpServer openAi = startOpenAi();

    private static HttpServer startOpenAi() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/chat/completions", exchange -> {
                hostCalls.incrementAndGet();
                exchange.getRequestBody().readAllBytes();
                byte[] body = """
                        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",
                         "choices":[{"index":0,"message":{"role":"assistant","content":"host says: hi"},"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}""".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class HostApplication {

        /** The host's own model: LangChain4j's OpenAI client, as such an application has (not marked primary). */
        @Bean
        ChatModel openAiChatModel() {
            return OpenAiChatModel.builder().baseUrl("http://127.0.0.1:" + openAi.getAddress().getPort() + "/v1")
                    .apiKey("host-key").modelName("gpt-4o-mini").build();
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

        assertThat(hostCalls.get()).as("calls that reached the host's OpenAI model").isEqualTo(before);
        assertThat(hostsInjection.chat("hi")).isEqualTo("host says: hi"); // and the host's model still works
        assertThat(hostCalls.get()).isEqualTo(before + 1);
    }
}
