package dev.allinone.engine.kvcache;

import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.EngineSetupException;
import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestModels;
import dev.allinone.testing.TestProperties;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One memory budget for the model: weights, working memory, and the attention state of running requests and of
 * those kept for reuse. Checked at startup (a budget that cannot hold one sequence at the context limit stops
 * startup, saying what to change) and before every request (kept state is evicted to make room; a request that
 * cannot fit is refused before any work), so that the model never runs out of memory halfway.
 */
class ModelMemoryTest {

    private static LocalEngine start(int contextLimit, int maxNewTokens, DataSize budget) {
        return TestEngines.start(TestProperties.offline(TestModels.tiny()), TestProperties.engine(
                "context-limit=" + contextLimit, "max-new-tokens=" + maxNewTokens, "memory-budget=" + budget.toBytes() + "B"));
    }

    @Test
    void aBudgetThatCannotHoldOneFullSequenceStopsStartupAndSaysWhatToChange() {
        assertThatThrownBy(() -> start(4096, 16, DataSize.ofMegabytes(3)))
                .isInstanceOf(EngineSetupException.class)
                .hasMessageContaining("context limit (4096 tokens)")
                .satisfies(e -> assertThat(((EngineSetupException) e).action()).contains("-Xmx", "context-limit"));
        assertThatThrownBy(() -> start(4096, 16, DataSize.ofGigabytes(100_000)))
                .isInstanceOf(EngineSetupException.class)
                .hasMessageContaining("more than the JVM's whole heap");
    }

    @Test
    void keptStateMakesRoomForRunningRequestsAndEveryoneStaysWithinTheBudget() {
        // Room for the weights, the working memory and about three sequences at the context limit: ten
        // conversations of growing length cannot all be kept.
        long fixed;
        long fullSequence;
        // The default format, which start() runs.
        try (CpuTransformer t = CpuTransformer.load(TestModels.directory(TestModels.tiny()).path(), 2, WeightFormat.Q4KM)) {
            fixed = t.weightBytes() + t.workingBytes(512);
            fullSequence = t.kvBytes(512);
        }
        LocalEngine engine = start(512, 24, DataSize.ofBytes(fixed + 3 * fullSequence));
        try {
            EngineChatModel model = new EngineChatModel(engine, List.of());
            List<List<ChatMessage>> conversations = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                conversations.add(new ArrayList<>(List.of(SystemMessage.from("You help customer " + c + " of a shop."))));
            }
            for (int turn = 0; turn < 4; turn++) {
                for (List<ChatMessage> conversation : conversations) {
                    conversation.add(UserMessage.from("Turn " + turn + ": where is my parcel? 我的包裹在哪里？"));
                    ChatResponse response = model.chat(ChatRequest.builder().messages(conversation).build());
                    conversation.add(AiMessage.from(response.aiMessage().text()));
                    KvCacheStats kv = engine.kvCacheStats();
                    assertThat(kv.bytes() + kv.leasedBytes()).isLessThanOrEqualTo(kv.limitBytes());
                    assertThat(kv.limitBytes()).isEqualTo(3 * fullSequence);
                }
            }
            assertThat(engine.kvCacheStats().evictions()).isPositive();
            assertThat(engine.kvCachesInUse()).isZero();
        } finally {
            engine.stop();
        }
    }

    @Test
    void aRequestThatCannotFitIsRefusedBeforeAnyWork() {
        try (CpuTransformer t = CpuTransformer.load(TestModels.directory(TestModels.tiny()).path(), 2, WeightFormat.Q4KM)) {
            KvCachePool pool = new KvCachePool(t, t.kvBytes(64), Long.MAX_VALUE);
            int[] prompt = new int[40];
            assertThatThrownBy(() -> pool.acquire(prompt, 0, true, false, 200))
                    .isInstanceOfSatisfying(AttentionMemoryException.class, e -> assertThat(e.neverFits()).isTrue());
            assertThat(t.openCaches()).isZero();
            KvCachePool.Lease fits = pool.acquire(prompt, 0, true, false, 64);
            pool.discard(fits);
            assertThat(t.openCaches()).isZero();
        }
    }
}
