package dev.allinone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.companion.Companion;
import dev.allinone.companion.ConversationMemory;
import dev.allinone.engine.EngineProperties;
import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.engine.langchain4j.EngineResponseMetadata;
import dev.allinone.engine.langchain4j.EngineTokenCountEstimator;
import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.model.HuggingFaceHub;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import dev.allinone.testing.TestProperties;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Our engine's scenarios, in a JVM of their own: the same AI services and chat model the service runs,
 * without HTTP. Prints {@code READY} once loaded and {@code RESULT <json>} at the end.
 */
public final class OursScenarios {

    /** Conversations for the Companion scenario: the median turn 1 then has the system prompt cached. */
    static final int CONVERSATIONS = 3;

    public static void main(String[] args) throws Exception {
        Path modelsDir = Path.of(args[0]);
        WeightFormat format = WeightFormat.valueOf(args[1]);
        int runs = Integer.parseInt(args[2]);
        int companionAnswerTokens = Integer.parseInt(args[3]);

        ModelProperties properties = new ModelProperties("Qwen/Qwen1.5-0.5B-Chat", "main", modelsDir,
                URI.create("http://127.0.0.1:9"), null, true, Duration.ofSeconds(5));
        EngineProperties settings = TestProperties.bind("weight-format=" + format,
                "max-new-tokens=" + companionAnswerTokens, "kv-cache-budget=256MB", "queue-timeout=5m", "warm-up=false");
        ModelStatus status = new ModelStatus();
        LocalEngine engine = new LocalEngine(properties, settings, new ModelResolver(
                properties, new HuggingFaceHub(properties.hubUrl(), null, Duration.ofSeconds(5)), status), status,
                dev.allinone.engine.EngineAutoConfiguration.ownKernels(format), EngineObserver.NONE, Duration.ofSeconds(5));
        engine.start();
        System.out.println("READY");

        AtomicReference<EngineResponseMetadata> last = new AtomicReference<>();
        ChatModelListener timings = new ChatModelListener() {
            @Override
            public void onResponse(ChatModelResponseContext context) {
                last.set((EngineResponseMetadata) context.chatResponse().metadata());
            }
        };
        EngineChatModel chatModel = new EngineChatModel(engine, List.of(timings));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("weights", engine.weightType());
        result.put("kernels", engine.kernels());

        // Sentiment through the real AI service: system prompt, enum answer.
        SentimentAnalyst analyst = AiServices.create(SentimentAnalyst.class, chatModel);
        Map<String, Object> sentiment = new LinkedHashMap<>();
        for (BenchTexts.Review review : BenchTexts.REVIEWS) {
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < runs + 2; i++) {
                long start = System.nanoTime();
                analyst.analyze(review.text());
                if (i >= 2) {
                    ms.add((System.nanoTime() - start) / 1e6);
                }
            }
            sentiment.put(review.name(), Map.of("median", Stats.median(ms), "p95", Stats.p95(ms),
                    "tokens", engine.countTokens(review.text())));
        }
        result.put("sentiment", sentiment);

        // Chat: a ~100-token prompt, 64 new tokens, greedy; every prompt distinct so nothing is reused.
        List<Double> ttft = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        int promptTokens = 0;
        for (int i = 0; i < runs + 1; i++) {
            ChatResponse r = chatModel.chat(ChatRequest.builder().messages(UserMessage.from(BenchTexts.chatPrompt(i)))
                    .temperature(0.0).maxOutputTokens(64).build());
            EngineResponseMetadata m = (EngineResponseMetadata) r.metadata();
            promptTokens = r.tokenUsage().inputTokenCount();
            if (i >= 1) {
                ttft.add(m.timings().firstTokenNanos() / 1e6);
                decode.add(m.timings().decodeTokensPerSecond(r.tokenUsage().outputTokenCount()));
            }
        }
        result.put("chat", Map.of("promptTokens", promptTokens, "ttftMedian", Stats.median(ttft), "ttftP95", Stats.p95(ttft),
                "decodeMedian", Stats.median(decode), "decodeP95", Stats.percentile(decode, 5)));

        // Companion: one conversation through the real AI service and its memory; time to first token per turn.
        EngineTokenCountEstimator tokens = new EngineTokenCountEstimator(engine);
        Map<Integer, List<Double>> byTurn = new LinkedHashMap<>();
        Map<Integer, List<Double>> computedByTurn = new LinkedHashMap<>();
        for (int c = 0; c < CONVERSATIONS; c++) {
            ChatMemoryStore store = new InMemoryChatMemoryStore();
            Companion companion = AiServices.builder(Companion.class).chatModel(chatModel)
                    .chatMemoryProvider(id -> new ConversationMemory(id, store, 20, 2560, tokens)).build();
            String id = "conversation-" + c;
            for (int turn = 1; turn <= BenchTexts.CONVERSATION.size(); turn++) {
                companion.chat(id, "(" + c + ") " + BenchTexts.CONVERSATION.get(turn - 1));
                EngineResponseMetadata m = last.get();
                byTurn.computeIfAbsent(turn, t -> new ArrayList<>()).add(m.timings().firstTokenNanos() / 1e6);
                computedByTurn.computeIfAbsent(turn, t -> new ArrayList<>())
                        .add((double) (m.tokenUsage().inputTokenCount() - m.cachedTokens()));
            }
        }
        Map<String, Object> companion = new LinkedHashMap<>();
        for (int turn : List.of(1, 5, 10)) {
            companion.put("turn" + turn, Map.of("ttftMedian", Stats.median(byTurn.get(turn)),
                    "computedTokens", Stats.median(computedByTurn.get(turn))));
        }
        result.put("companion", companion);
        result.put("kvCache", engine.kvCacheStats());
        long[] rss = Stats.rssMegabytes(ProcessHandle.current().pid());
        result.put("rssMb", rss[0]);
        result.put("peakRssMb", rss[1]);
        System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
        engine.stop();
        System.exit(0);
    }
}
