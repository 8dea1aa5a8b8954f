package dev.allinone.companion;

import dev.allinone.testing.TestModels;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The companion's memory: bounded by messages and tokens, forgetting the oldest half at once. */
class ConversationMemoryTest {

    /** Counts with the real tokenizer. */
    private static final TokenCountEstimator TOKENS = new TokenCountEstimator() {
        @Override
        public int estimateTokenCountInText(String text) {
            return TestModels.tokenizer().encode(text).length;
        }

        @Override
        public int estimateTokenCountInMessage(ChatMessage message) {
            return estimateTokenCountInText(switch (message) {
                case UserMessage u -> u.singleText();
                case AiMessage a -> a.text();
                case SystemMessage s -> s.text();
                default -> "";
            });
        }

        @Override
        public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
            int n = 0;
            for (ChatMessage m : messages) {
                n += estimateTokenCountInMessage(m);
            }
            return n;
        }
    };

    private final ChatMemoryStore store = new InMemoryChatMemoryStore();

    /** Plays turns the way LangChain4j does: the model sees memory + new message, then both are stored. */
    private static List<List<ChatMessage>> play(ConversationMemory memory, int turns, String filler) {
        List<List<ChatMessage>> shown = new ArrayList<>();
        for (int t = 1; t <= turns; t++) {
            memory.add(SystemMessage.from("be kind"));
            List<ChatMessage> request = new ArrayList<>(memory.messages());
            UserMessage user = UserMessage.from("user " + t + filler);
            request.add(user);
            memory.add(user);
            shown.add(request);
            memory.add(AiMessage.from("answer " + t + filler));
        }
        return shown;
    }

    @Test
    void neverShowsMoreThanTheWindowAndForgetsTheOldestHalfAtOnce() {
        String id = "conversation";
        ConversationMemory memory = new ConversationMemory(id, store, 6, 100_000, TOKENS);
        List<List<ChatMessage>> shown = play(memory, 8, "");
        List<Integer> sizes = shown.stream().map(r -> r.size() - 1).toList(); // without the system message
        assertThat(sizes).allMatch(n -> n <= 6);
        // Grows turn after turn, then drops in one step to half: most prompts extend the previous one.
        assertThat(sizes).containsExactly(1, 3, 5, 4, 6, 5, 4, 6);
        int extending = 0;
        for (int i = 1; i < shown.size(); i++) {
            List<ChatMessage> previous = shown.get(i - 1);
            if (shown.get(i).size() > previous.size() && shown.get(i).subList(0, previous.size()).equals(previous)) {
                extending++;
            }
        }
        assertThat(extending).isGreaterThanOrEqualTo(4);
        for (List<ChatMessage> request : shown) {
            assertThat(request.get(0)).isInstanceOf(SystemMessage.class);
            assertThat(request.stream().filter(m -> m instanceof SystemMessage)).hasSize(1);
        }
        // The newest messages are the ones kept: turn 8 shows answer 5 to user 8.
        assertThat(shown.get(7).subList(1, 7)).containsExactly(AiMessage.from("answer 5"), UserMessage.from("user 6"),
                AiMessage.from("answer 6"), UserMessage.from("user 7"), AiMessage.from("answer 7"), UserMessage.from("user 8"));
    }

    @Test
    void staysWithinTheTokenBudget() {
        String id = "conversation";
        ConversationMemory memory = new ConversationMemory(id, store, 1000, 200, TOKENS);
        String filler = " and a fairly long sentence that uses up tokens quickly, 还有一些中文";
        for (List<ChatMessage> request : play(memory, 12, filler)) {
            int tokens = request.stream().filter(m -> !(m instanceof SystemMessage))
                    .mapToInt(m -> TOKENS.estimateTokenCountInMessage(m) + ConversationMemory.TEMPLATE_TOKENS_PER_MESSAGE).sum();
            UserMessage newest = (UserMessage) request.get(request.size() - 1);
            int newestTokens = TOKENS.estimateTokenCountInMessage(newest) + ConversationMemory.TEMPLATE_TOKENS_PER_MESSAGE;
            assertThat(tokens - newestTokens).isLessThanOrEqualTo(200);
        }
    }

    @Test
    void aChangedSystemMessageReplacesTheOldOne() {
        String id = "conversation";
        ConversationMemory memory = new ConversationMemory(id, store, 10, 10_000, TOKENS);
        memory.add(SystemMessage.from("old"));
        memory.add(UserMessage.from("hi"));
        memory.add(SystemMessage.from("new"));
        assertThat(memory.messages()).containsExactly(SystemMessage.from("new"), UserMessage.from("hi"));
    }
}
