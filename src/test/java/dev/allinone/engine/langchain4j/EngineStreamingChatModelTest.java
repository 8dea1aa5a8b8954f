package dev.allinone.engine.langchain4j;

import dev.allinone.engine.LocalEngine;
import dev.allinone.testing.Streamed;
import dev.allinone.testing.TestEngines;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Streaming on the same engine: works every time (stock JlamaStreamingChatModel breaks after its first call). */
class EngineStreamingChatModelTest {

    private final LocalEngine engine = TestEngines.shared();
    private final EngineStreamingChatModel streaming = new EngineStreamingChatModel(engine, List.of());
    private final EngineChatModel blocking = new EngineChatModel(engine, List.of());

    private Streamed stream(ChatRequest request, int cancelAfter) throws Exception {
        return Streamed.from(streaming, request, cancelAfter);
    }

    @Test
    void streamsTheSameAnswerAsTheBlockingModelOverAndOver() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("讲个故事 please")).temperature(0.0)
                .maxOutputTokens(12).build();
        String expected = blocking.chat(request).aiMessage().text();
        for (int i = 0; i < 3; i++) {
            Streamed s = stream(request, -1);
            assertThat(String.join("", s.deltas())).isEqualTo(expected);
            assertThat(s.response().aiMessage().text()).isEqualTo(expected);
            assertThat(s.response().tokenUsage().outputTokenCount()).isEqualTo(12);
        }
        assertThat(engine.kvCachesInUse()).isZero();
    }

    @Test
    void aHandlerCanStopItsGeneration() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Talk a lot")).temperature(0.0)
                .maxOutputTokens(64).build();
        Streamed s = stream(request, 3);
        assertThat(s.response().finishReason()).isEqualTo(FinishReason.OTHER);
        // Cancelled from the third delta's callback: not one more piece of text was generated after it, and the
        // tokens counted are those three deltas' (a delta is one token here, or a few that complete a character).
        assertThat(s.deltas()).hasSize(3);
        assertThat(s.response().aiMessage().text()).isEqualTo(s.text());
        assertThat(s.response().tokenUsage().outputTokenCount()).isBetween(3, engine.countTokens(s.text()) + 3);
        assertThat(engine.kvCachesInUse()).isZero();
    }
}
