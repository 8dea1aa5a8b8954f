package dev.allinone.openai;

import dev.allinone.AllInOneApplication;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.converter.BeanOutputConverter;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.openai.api.ResponseFormat;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Spring AI 1.1's OpenAI client ({@code spring-ai-openai}, as a Spring application would build it) against the
 * running service: blocking and streamed chat with usage; structured output through a JSON schema, as a record
 * and as an enum, blocking and streamed; {@code max_tokens} on such an answer; and out-of-range parameters as
 * Spring AI's non-retryable 400 (a 500 would be retried ten times over ten minutes by its default retry), before
 * the stream starts (an error event inside a 200 stream is silently dropped by Spring AI).
 */
@SpringBootTest(classes = AllInOneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"allinone.model.offline=true", "allinone.engine.max-new-tokens=16"})
class SpringAiClientTest {

    private static final String MODEL = TestModels.MODEL_ID;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String REVIEW = "Classify the sentiment of this review: I loved this film, the acting was wonderful.";

    enum Mood { POSITIVE, NEGATIVE, NEUTRAL }

    record Review(Mood mood) {
    }

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("allinone.model.models-dir", () -> TestModels.tiny().toString());
    }

    @LocalServerPort
    int port;

    private OpenAiChatModel chatModel;
    private ChatClient chatClient;

    @BeforeEach
    void client() {
        // Spring AI appends /v1/chat/completions to the base URL itself.
        OpenAiApi api = OpenAiApi.builder().baseUrl("http://127.0.0.1:" + port).apiKey("unused").build();
        chatModel = OpenAiChatModel.builder().openAiApi(api)
                .defaultOptions(OpenAiChatOptions.builder().model(MODEL).maxTokens(16).build())
                .retryTemplate(RetryTemplate.builder().maxAttempts(1).build())
                .build();
        chatClient = ChatClient.create(chatModel);
    }

    private static void usagePositive(Usage usage, String what) {
        assertThat(usage).as(what + " usage").isNotNull();
        assertThat(usage.getPromptTokens()).as(what + " prompt tokens").isPositive();
        assertThat(usage.getCompletionTokens()).as(what + " completion tokens").isPositive();
        assertThat(usage.getTotalTokens()).isEqualTo(usage.getPromptTokens() + usage.getCompletionTokens());
    }

    private static OpenAiChatOptions jsonSchema(String schema, int maxTokens) {
        return OpenAiChatOptions.builder().model(MODEL).maxTokens(maxTokens)
                .responseFormat(new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, schema)).build();
    }

    @Test
    void blockingAndStreamedChatWithUsage() {
        ChatResponse response = chatModel.call(new Prompt("Say hello in a few words."));
        assertThat(response.getResult().getOutput().getText()).isNotBlank();
        assertThat(response.getResult().getMetadata().getFinishReason()).isIn("STOP", "LENGTH");
        assertThat(response.getMetadata().getModel()).isEqualTo(MODEL);
        usagePositive(response.getMetadata().getUsage(), "blocking");

        List<ChatResponse> chunks = chatModel.stream(new Prompt("Say hello in a few words.",
                OpenAiChatOptions.builder().model(MODEL).maxTokens(16).streamUsage(true).build())).collectList().block(TIMEOUT);
        String text = Objects.requireNonNull(chunks).stream()
                .filter(r -> r.getResult() != null && r.getResult().getOutput().getText() != null)
                .map(r -> r.getResult().getOutput().getText()).collect(Collectors.joining());
        assertThat(text).isNotBlank();
        Usage usage = chunks.stream().map(r -> r.getMetadata().getUsage())
                .filter(u -> u != null && u.getTotalTokens() != null && u.getTotalTokens() > 0)
                .reduce((a, b) -> b).orElse(null);
        usagePositive(usage, "streamed");
    }

    @Test
    void structuredOutputAsARecordAndAnEnumBlockingAndStreamed() {
        var review = new BeanOutputConverter<>(Review.class);
        Review blocking = chatClient.prompt().user(REVIEW).options(jsonSchema(review.getJsonSchema(), 16))
                .call().entity(Review.class);
        assertThat(Objects.requireNonNull(blocking).mood()).isNotNull();
        ChatResponse response = chatClient.prompt().user(REVIEW).options(jsonSchema(review.getJsonSchema(), 16))
                .call().chatResponse();
        usagePositive(Objects.requireNonNull(response).getMetadata().getUsage(), "json_schema");

        Review nativeOutput = chatClient.prompt().user(REVIEW)
                .options(OpenAiChatOptions.builder().model(MODEL).maxTokens(16).build())
                .advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT)
                .call().entity(Review.class);
        assertThat(Objects.requireNonNull(nativeOutput).mood()).isNotNull();

        var mood = new BeanOutputConverter<>(Mood.class);
        assertThat(chatClient.prompt().user(REVIEW).options(jsonSchema(mood.getJsonSchema(), 16)).call().entity(Mood.class))
                .isNotNull();

        List<String> parts = chatClient.prompt().user(REVIEW).options(jsonSchema(review.getJsonSchema(), 16))
                .stream().content().collectList().block(TIMEOUT);
        Review streamed = review.convert(String.join("", Objects.requireNonNull(parts)));
        assertThat(Objects.requireNonNull(streamed).mood()).isNotNull();
    }

    @Test
    void maxTokensCutsAJsonSchemaAnswer() {
        var review = new BeanOutputConverter<>(Review.class);
        ChatResponse response = chatModel.call(new Prompt(REVIEW, jsonSchema(review.getJsonSchema(), 1)));
        assertThat(response.getMetadata().getUsage().getCompletionTokens()).isEqualTo(1);
        assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo("LENGTH");
    }

    @Test
    void outOfRangeParametersAreNonRetryable400sBeforeAnyStream() {
        Throwable blocking = catchThrowable(() -> chatModel.call(new Prompt("hi",
                OpenAiChatOptions.builder().model(MODEL).maxTokens(4).temperature(-1.0).build())));
        assertThat(blocking).isInstanceOf(NonTransientAiException.class);
        assertThat(blocking.getMessage()).startsWith("400 - ").contains("\"param\":\"temperature\"", "invalid_request_error");

        Throwable topP = catchThrowable(() -> chatModel.call(new Prompt("hi",
                OpenAiChatOptions.builder().model(MODEL).maxTokens(4).topP(1.5).build())));
        assertThat(topP).isInstanceOf(NonTransientAiException.class);
        assertThat(topP.getMessage()).contains("\"param\":\"top_p\"");

        Throwable streamed = catchThrowable(() -> chatModel.stream(new Prompt("hi",
                OpenAiChatOptions.builder().model(MODEL).maxTokens(4).temperature(-1.0).build())).collectList().block(TIMEOUT));
        assertThat(streamed).isInstanceOf(WebClientResponseException.BadRequest.class);
        assertThat(((WebClientResponseException) streamed).getResponseBodyAsString()).contains("\"param\":\"temperature\"");
    }
}
