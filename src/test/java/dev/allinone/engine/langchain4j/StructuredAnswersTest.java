package dev.allinone.engine.langchain4j;

import dev.allinone.engine.LocalEngine;
import dev.allinone.testing.TestEngines;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LangChain4j AI services whose methods return records and lists, on the real engine (tiny checkpoint, random
 * weights, sampling at temperature 1): LangChain4j sends the JSON schema of the return type, the engine holds
 * the answer to it, and LangChain4j's own parsing turns every answer into the declared type.
 */
class StructuredAnswersTest {

    enum Urgency { LOW, NORMAL, URGENT }

    record Product(String name, int quantity) {
    }

    record Ticket(List<String> orderNumbers, List<Product> products, Urgency urgency, boolean refundAsked, String summary) {
    }

    interface Extractor {
        @SystemMessage("Extract the ticket's details.")
        Ticket ticket(String message);

        @SystemMessage("List the keywords.")
        List<String> keywords(String message);

        @SystemMessage("How many items?")
        Integer count(String message);
    }

    private final LocalEngine engine = TestEngines.shared();

    @Test
    void recordsListsAndNumbersComeBackParsedEveryTime() {
        List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.allinone.testing.CapturingChatModelListener seen = new dev.allinone.testing.CapturingChatModelListener() {
            @Override
            public void onResponse(dev.langchain4j.model.chat.listener.ChatModelResponseContext context) {
                answers.add(context.chatResponse().aiMessage().text());
            }
        };
        EngineChatModel model = new EngineChatModel(engine, List.of(seen)) {
            @Override
            public ChatRequestParameters defaultRequestParameters() {
                return ChatRequestParameters.builder().temperature(1.0).topP(1.0).maxOutputTokens(80).build();
            }
        };
        Extractor extractor = AiServices.create(Extractor.class, model);
        for (int i = 0; i < 5; i++) {
            Ticket ticket = extractor.ticket("Order #A-" + i + " arrived broken, 我要退款 😡");
            assertThat(ticket).isNotNull();
            assertThat(answers.getLast()).startsWith("{\"orderNumbers\":").contains("\"urgency\":")
                    .contains("\"summary\":");
            assertThat(extractor.keywords("late parcel, wrong size")).doesNotContainNull();
            assertThat(extractor.count("two shirts and a hat")).isNotNull();
        }
    }
}
