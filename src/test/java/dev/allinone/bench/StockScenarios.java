package dev.allinone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.safetensors.prompt.PromptSupport;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.sentiment.Sentiment;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.jlama.JlamaChatModel;
import dev.langchain4j.service.AiServices;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The baseline: langchain4j-jlama's stock {@link JlamaChatModel} on the same weights, in a JVM of its own.
 * Prints {@code READY} once loaded and {@code RESULT <json>} at the end.
 *
 * <p>Stock takes no per-request answer length ({@code maxTokens} is fixed at build time and caps prompt plus
 * answer), so each call sets it, by reflection, to the prompt's length plus the tokens wanted: 4 for a
 * sentiment label (what a label and the end token take), 1 to time the first token, 64 for decoding. With
 * random weights stock never ends early, so it always generates exactly that many.
 */
public final class StockScenarios {

    /** Conversations for the Companion scenario: the median turn 1 then has the system prompt cached. */
    static final int CONVERSATIONS = 3;

    private static AbstractModel model;
    private static JlamaChatModel stock;

    public static void main(String[] args) throws Exception {
        Path modelsDir = Path.of(args[0]);
        String modelName = args[1];
        int runs = Integer.parseInt(args[2]);
        int companionAnswerTokens = Integer.parseInt(args[3]);

        stock = JlamaChatModel.builder().modelCachePath(modelsDir).modelName(modelName).temperature(0f).build();
        Field modelField = JlamaChatModel.class.getDeclaredField("model");
        modelField.setAccessible(true);
        model = (AbstractModel) modelField.get(stock);
        System.out.println("READY");

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("weights", model.getWeights().getModelDType().name());

        // Sentiment: exactly the messages the SentimentAnalyst sends a model without JSON-schema support.
        Map<String, Object> sentiment = new LinkedHashMap<>();
        for (BenchTexts.Review review : BenchTexts.REVIEWS) {
            List<ChatMessage> messages = sentimentMessages(review.text());
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < runs + 2; i++) {
                long start = System.nanoTime();
                call(messages, 4);
                if (i >= 2) {
                    ms.add((System.nanoTime() - start) / 1e6);
                }
            }
            sentiment.put(review.name(), Map.of("median", Stats.median(ms), "p95", Stats.p95(ms),
                    "tokens", promptTokens(messages)));
        }
        result.put("sentiment", sentiment);

        // Chat: time to first token (1 new token), and decode rate from 64 tokens minus that.
        List<Double> ttft = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        int prompt = 0;
        for (int i = 0; i < runs + 1; i++) {
            List<ChatMessage> messages = List.of(UserMessage.from(BenchTexts.chatPrompt(i)));
            prompt = promptTokens(messages);
            long t0 = System.nanoTime();
            call(messages, 1);
            double first = (System.nanoTime() - t0) / 1e6;
            long t1 = System.nanoTime();
            call(messages, 64);
            double all = (System.nanoTime() - t1) / 1e6;
            if (i >= 1) {
                ttft.add(first);
                decode.add(63 / ((all - first) / 1000));
            }
        }
        result.put("chat", Map.of("promptTokens", prompt, "ttftMedian", Stats.median(ttft), "ttftP95", Stats.p95(ttft),
                "decodeMedian", Stats.median(decode), "decodeP95", Stats.percentile(decode, 5)));

        // Companion: the same conversation, history kept in full (ours keeps up to 20 messages: no difference
        // over 10 turns); time to first token per turn, then the answer that goes into the history.
        String system = new String(StockScenarios.class.getResourceAsStream("/prompts/companion.txt").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        Map<Integer, List<Double>> byTurn = new LinkedHashMap<>();
        for (int c = 0; c < CONVERSATIONS; c++) {
            List<ChatMessage> history = new ArrayList<>(List.of(SystemMessage.from(system)));
            for (int turn = 1; turn <= BenchTexts.CONVERSATION.size(); turn++) {
                history.add(UserMessage.from("(" + c + ") " + BenchTexts.CONVERSATION.get(turn - 1)));
                long t0 = System.nanoTime();
                call(history, 1);
                byTurn.computeIfAbsent(turn, t -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
                history.add(AiMessage.from(call(history, companionAnswerTokens).aiMessage().text()));
            }
        }
        Map<String, Object> companion = new LinkedHashMap<>();
        for (int turn : List.of(1, 5, 10)) {
            companion.put("turn" + turn, Map.of("ttftMedian", Stats.median(byTurn.get(turn))));
        }
        result.put("companion", companion);
        long[] rss = Stats.rssMegabytes(ProcessHandle.current().pid());
        result.put("rssMb", rss[0]);
        result.put("peakRssMb", rss[1]);
        System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
        System.exit(0);
    }

    /** The messages an enum-returning AI service sends when the model cannot take a JSON schema. */
    private static List<ChatMessage> sentimentMessages(String text) {
        AtomicReference<List<ChatMessage>> sent = new AtomicReference<>();
        ChatModel capture = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                sent.set(request.messages());
                return ChatResponse.builder().aiMessage(AiMessage.from(Sentiment.NEUTRAL.name())).build();
            }
        };
        AiServices.create(SentimentAnalyst.class, capture).analyze(text);
        return sent.get();
    }

    /** One stock call generating {@code newTokens} tokens. */
    static ChatResponse call(List<ChatMessage> messages, int newTokens) throws Exception {
        Field maxTokens = JlamaChatModel.class.getDeclaredField("maxTokens");
        maxTokens.setAccessible(true);
        // Jlama's generate(): prompt (with its BOS) then 1 + (maxTokens - prompt length) new tokens.
        maxTokens.set(stock, promptTokens(messages) + newTokens - 1);
        return stock.chat(ChatRequest.builder().messages(messages).build());
    }

    /** Prompt length as stock counts it: its own chat template, its own tokenizer, plus its BOS token. */
    static int promptTokens(List<ChatMessage> messages) {
        PromptSupport.Builder builder = model.promptSupport().orElseThrow().builder();
        for (ChatMessage m : messages) {
            switch (m) {
                case SystemMessage s -> builder.addSystemMessage(s.text());
                case UserMessage u -> builder.addUserMessage(u.singleText());
                case AiMessage a -> builder.addAssistantMessage(a.text());
                default -> throw new IllegalArgumentException(m.toString());
            }
        }
        return model.encodePrompt(builder.build()).length;
    }
}
