package dev.allinone.engine;

import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.engine.langchain4j.EngineResponseMetadata;
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestModels;
import dev.allinone.testing.TestProperties;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Reusing attention state across requests (system prompts, conversations) changes what is computed, never
 * the result: the same engine with reuse on and off gives the same tokens and the same probabilities.
 */
class KvReuseTest {

    private static LocalEngine cached;
    private static LocalEngine uncached;

    private static final String SYSTEM = "You are a careful support assistant for an online shop. Be brief, kind "
            + "and precise. 请用客户的语言回答。";
    private static final ResponseFormat LABELS = ResponseFormat.builder().type(ResponseFormatType.JSON)
            .jsonSchema(JsonSchema.builder().name("Sentiment").rootElement(JsonObjectSchema.builder()
                    .addProperty("value", JsonEnumSchema.builder().enumValues("POSITIVE", "NEGATIVE", "NEUTRAL").build())
                    .build()).build()).build();

    @BeforeAll
    static void start() {
        cached = TestEngines.start(TestProperties.offline(TestModels.tiny()), TestProperties.engine(4096, DataSize.ofMegabytes(64)));
        uncached = TestEngines.start(TestProperties.offline(TestModels.tiny()), TestProperties.engine(4096, DataSize.ofBytes(0)));
    }

    @AfterAll
    static void stop() {
        cached.stop();
        uncached.stop();
    }

    private static ChatResponse chat(LocalEngine engine, ChatRequest request) {
        return new EngineChatModel(engine, List.of()).chat(request);
    }

    @Test
    void labelProbabilitiesAreTheSameWithAndWithoutReuse() {
        for (String text : List.of("Thanks a lot!", "包裹坏了，我很生气", "Where is my order?")) {
            ChatRequest request = ChatRequest.builder().messages(SystemMessage.from(SYSTEM), UserMessage.from(text))
                    .responseFormat(LABELS).build();
            EngineResponseMetadata with = (EngineResponseMetadata) chat(cached, request).metadata();
            EngineResponseMetadata without = (EngineResponseMetadata) chat(uncached, request).metadata();
            for (Map.Entry<String, Double> p : with.choiceProbabilities().entrySet()) {
                assertThat(p.getValue()).isCloseTo(without.choiceProbabilities().get(p.getKey()), within(1e-5));
            }
            assertThat(without.cachedTokens()).isZero();
        }
        // After the first request the system prompt was not computed again.
        ChatRequest again = ChatRequest.builder().messages(SystemMessage.from(SYSTEM), UserMessage.from("ok"))
                .responseFormat(LABELS).build();
        assertThat(((EngineResponseMetadata) chat(cached, again).metadata()).cachedTokens()).isGreaterThan(20);
    }

    @Test
    void aConversationComputesOnlyEachNewTurnAndAnswersExactlyAsWithoutReuse() {
        List<ChatMessage> history = new ArrayList<>(List.of(SystemMessage.from(SYSTEM)));
        int previousPrompt = 0;
        for (int turn = 1; turn <= 4; turn++) {
            history.add(UserMessage.from("turn " + turn + ": my parcel 📦 is late, 请帮忙"));
            ChatRequest request = ChatRequest.builder().messages(List.copyOf(history)).temperature(0.0)
                    .maxOutputTokens(10).build();
            ChatResponse with = chat(cached, request);
            ChatResponse without = chat(uncached, request);
            assertThat(with.aiMessage().text()).isEqualTo(without.aiMessage().text());

            int prompt = with.tokenUsage().inputTokenCount();
            int reused = ((EngineResponseMetadata) with.metadata()).cachedTokens();
            if (turn > 1) {
                // Only the new user message and the template's glue around it (and the last answer token,
                // which was generated but never fed back) were computed.
                int newMessage = cached.countTokens("turn " + turn + ": my parcel 📦 is late, 请帮忙");
                assertThat(reused).isGreaterThan(previousPrompt);
                assertThat(prompt - reused).isBetween(newMessage, newMessage + 12);
            }
            previousPrompt = prompt;
            history.add(AiMessage.from(with.aiMessage().text()));
        }
    }

    @Test
    void aConversationWhoseOldMessagesWereDroppedFallsBackAndSaysSo() {
        List<ChatMessage> history = new ArrayList<>(List.of(SystemMessage.from(SYSTEM),
                UserMessage.from("first question about refunds")));
        ChatResponse first = chat(cached, ChatRequest.builder().messages(List.copyOf(history)).temperature(0.0)
                .maxOutputTokens(6).build());
        history.add(AiMessage.from(first.aiMessage().text()));
        history.add(UserMessage.from("second question"));
        // A memory window that dropped the first exchange:
        List<ChatMessage> windowed = List.of(history.get(0), history.get(3));
        List<ChatMessage> windowedWithAnswer = List.of(history.get(0), AiMessage.from("earlier answer"), history.get(3));

        long missesBefore = cached.kvCacheStats().conversationMisses();
        ChatResponse fallback = chat(cached, ChatRequest.builder().messages(windowedWithAnswer).temperature(0.0)
                .maxOutputTokens(6).build());
        assertThat(cached.kvCacheStats().conversationMisses()).isEqualTo(missesBefore + 1);
        // Only the shared system prompt was reused.
        int system = cached.countTokens(SYSTEM);
        assertThat(((EngineResponseMetadata) fallback.metadata()).cachedTokens()).isBetween(system, system + 10);
        assertThat(fallback.aiMessage().text()).isEqualTo(chat(uncached, ChatRequest.builder()
                .messages(windowedWithAnswer).temperature(0.0).maxOutputTokens(6).build()).aiMessage().text());
    }

    @Test
    void keptStateStaysWithinTheBudgetAndNothingLeaks() {
        // A budget that holds the state of about three such conversations, measured on the kernels that run.
        long one;
        LocalEngine measure = TestEngines.start(TestProperties.offline(TestModels.tiny()), TestProperties.engine());
        try {
            chat(measure, ChatRequest.builder().messages(SystemMessage.from(SYSTEM), UserMessage.from("conversation 0"))
                    .temperature(0.0).maxOutputTokens(4).build());
            one = measure.kvCacheStats().bytes();
        } finally {
            measure.stop();
        }
        long budget = 3 * one;
        LocalEngine small = TestEngines.start(TestProperties.offline(TestModels.tiny()),
                TestProperties.engine(4096, DataSize.ofBytes(budget)));
        try {
            for (int i = 0; i < 12; i++) {
                chat(small, ChatRequest.builder().messages(SystemMessage.from(SYSTEM), UserMessage.from("conversation " + i))
                        .temperature(0.0).maxOutputTokens(4).build());
                assertThat(small.kvCacheStats().bytes()).isLessThanOrEqualTo(budget);
                assertThat(small.kvCachesInUse()).isZero();
            }
            assertThat(small.kvCacheStats().evictions()).isPositive();
        } finally {
            small.stop();
        }
    }
}
