package dev.allinone.engine.langchain4j;

import dev.allinone.engine.LocalEngine;
import dev.allinone.testing.ShopTools;
import dev.allinone.testing.Streamed;
import dev.allinone.testing.TestEngines;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LangChain4j's tools on the real engine (tiny checkpoint, random weights, temperature 1): an AI service whose
 * first round must call a tool gets the call executed with arguments LangChain4j can bind to the Java method,
 * the result goes back into the prompt, and the service's record comes back parsed.
 */
class ToolServicesTest {

    enum Urgency { LOW, NORMAL, URGENT }

    record Reply(String answer, Urgency urgency) {
    }

    interface Desk {
        @dev.langchain4j.service.SystemMessage("You help the customers of a shop. Look their orders up before answering.")
        Reply answer(String message);
    }

    private final LocalEngine engine = TestEngines.shared();

    private EngineChatModel hot() {
        return new EngineChatModel(engine, List.of()) {
            @Override
            public ChatRequestParameters defaultRequestParameters() {
                return ChatRequestParameters.builder().temperature(1.0).topP(1.0).maxOutputTokens(60).build();
            }
        };
    }

    @Test
    void anAiServiceCallsItsToolsWithBindableArgumentsAndReturnsItsRecord() {
        ShopTools tools = new ShopTools();
        Desk desk = AiServices.builder(Desk.class).chatModel(hot()).tools(tools)
                .chatRequestTransformer(ShopTools::callFirst).build();
        for (int i = 0; i < 8; i++) {
            Reply reply = desk.answer("Where is my order A-" + (1000 + i) + "? 我的包裹还没到 😡");
            assertThat(reply).isNotNull(); // parsed; its fields are optional (nullable) in LangChain4j's schema
        }
        // Every round called exactly one tool, with arguments LangChain4j bound to the method's parameters.
        assertThat(tools.calls()).hasSize(8);
        assertThat(tools.calls()).allMatch(c -> c.matches(ShopTools.BOUND));
    }

    @Test
    void aStreamedCallArrivesWholeAndIsNotStreamedAsText() throws Exception {
        List<ToolSpecification> specs = ToolSpecifications.toolSpecificationsFrom(ShopTools.class);
        ChatRequest request = ChatRequest.builder()
                .messages(UserMessage.from("Refund half of order A-77, it came broken"))
                .toolSpecifications(specs).toolChoice(ToolChoice.REQUIRED).temperature(1.0).maxOutputTokens(60).build();
        Streamed streamed = Streamed.from(new EngineStreamingChatModel(engine, List.of()), request);
        ChatResponse response = streamed.response();
        assertThat(streamed.deltas()).isEmpty();
        assertThat(response.aiMessage().toolExecutionRequests()).hasSize(1);
        assertThat(response.finishReason()).isIn(FinishReason.TOOL_EXECUTION, FinishReason.LENGTH);
        assertThat(streamed.toolCalls()).extracting(CompleteToolCall::toolExecutionRequest)
                .containsExactlyElementsOf(response.aiMessage().toolExecutionRequests());
        assertThat(specs).extracting(ToolSpecification::name)
                .contains(streamed.toolCalls().getFirst().toolExecutionRequest().name());
    }

    @Test
    void withAutoTheTurnIsTextOrACallAndTextIsStreamed() throws Exception {
        ChatRequest text = ChatRequest.builder()
                .messages(UserMessage.from("Hello there, 你好"))
                .toolSpecifications(ToolSpecifications.toolSpecificationsFrom(ShopTools.class))
                .temperature(1.0).maxOutputTokens(12).build();
        // With a JSON response format: a call or a JSON answer, and the JSON answer streams as it is written.
        ChatRequest json = ChatRequest.builder()
                .messages(UserMessage.from("Hello there, 你好"))
                .toolSpecifications(ToolSpecifications.toolSpecificationsFrom(ShopTools.class))
                .temperature(1.0).maxOutputTokens(40).responseFormat(ResponseFormat.builder()
                .type(ResponseFormatType.JSON).jsonSchema(JsonSchema.builder().name("reply").rootElement(
                        JsonSchemaElementUtils.jsonSchemaElementFrom(Reply.class)).build()).build()).build();
        for (int i = 0; i < 8; i++) {
            ChatRequest request = i % 2 == 0 ? text : json;
            Streamed streamed = Streamed.from(new EngineStreamingChatModel(engine, List.of()), request);
            AiMessage answer = streamed.response().aiMessage();
            if (answer.hasToolExecutionRequests()) {
                assertThat(streamed.deltas()).isEmpty();
            } else {
                assertThat(streamed.text()).isEqualTo(answer.text());
                if (request == json) {
                    assertThat(answer.text()).startsWith("{\"answer\":");
                }
            }
        }
    }

    @Test
    void toolsCallsAndResultsAreWrittenInTheTemplatesOwnRoles() {
        List<ChatMessage> conversation = List.of(
                SystemMessage.from("You help customers."),
                UserMessage.from("Where is A-1?"),
                AiMessage.from(ToolExecutionRequest.builder().id("c1").name("orderStatus").arguments("{\"orderId\": \"A-1\"}").build()),
                ToolExecutionResultMessage.from("c1", "orderStatus", "shipped"),
                UserMessage.from("Thanks"));
        var messages = PromptMessages.of(conversation, ChatRequests.tools(ChatRequestParameters.builder()
                .toolSpecifications(ToolSpecifications.toolSpecificationsFrom(ShopTools.class)).build()).tools());
        assertThat(messages).extracting(m -> m.role()).containsExactly("system", "user", "assistant", "user", "user");
        assertThat(messages.getFirst().content()).startsWith("You help customers.\n\n# Tools\n")
                .contains("\n{\"type\":\"function\",\"function\":{\"name\":\"orderStatus\"")
                .contains("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        assertThat(messages.get(2).content()).isEqualTo("<tool_call>\n{\"name\":\"orderStatus\",\"arguments\":{\"orderId\":\"A-1\"}}\n</tool_call>");
        assertThat(messages.get(3).content()).isEqualTo("<tool_response>\nshipped\n</tool_response>");
    }
}
