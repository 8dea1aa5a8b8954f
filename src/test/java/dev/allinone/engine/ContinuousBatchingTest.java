package dev.allinone.engine;

import dev.allinone.engine.api.ChoiceResult;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestModels;
import dev.allinone.testing.TestProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Many requests share the model's steps: each gets exactly the answer it gets alone (greedy tokens, label
 * probabilities), whoever else is in the batch, joins it at the next step, and leaves it without disturbing the
 * others when it finishes, is cancelled, or fails.
 */
class ContinuousBatchingTest {

    private static final List<String> LABELS = List.of("Positive", "Negative", "Neutral");
    private static final List<String> QUESTIONS = List.of("Where is my order?", "我的包裹三天了还没到，怎么办？",
            "Can I change the delivery address to 12 Baker Street, London?", "退款要多久？", "hi",
            "My parcel arrived broken 😡 and nobody answers the phone. I want my money back today, please.");

    private static LocalEngine engine;

    @BeforeAll
    static void start() {
        engine = TestEngines.start(TestProperties.offline(TestModels.tiny()),
                TestProperties.engine("batch.max-sequences=8", "batch.step-tokens=32"));
    }

    @AfterAll
    static void stop() {
        engine.stop();
    }

    private static List<PromptEncoder.Message> ask(String question) {
        return List.of(new PromptEncoder.Message("system", "You are a support agent. Answer briefly."),
                new PromptEncoder.Message("user", question));
    }

    private static CompletableFuture<GenerationResult> answer(String question, int tokens, TokenListener listener,
                                                              RequestControl control) {
        return engine.generate(ask(question), new GenerationSettings(SamplingSettings.GREEDY, tokens, List.of()),
                listener, control);
    }

    private static CompletableFuture<ChoiceResult> label(String text) {
        return engine.choose(List.of(new PromptEncoder.Message("system", "Label the sentiment."),
                new PromptEncoder.Message("user", text)), LABELS, RequestControl.unlimited());
    }

    @Test
    void batchedRequestsGetExactlyTheirSoloAnswersWhateverJoinsOrLeaves() throws Exception {
        List<String> soloTexts = new ArrayList<>();
        for (String q : QUESTIONS) {
            soloTexts.add(answer(q, 24, TokenListener.NONE, RequestControl.unlimited()).get(60, TimeUnit.SECONDS).text());
        }
        List<ChoiceResult> soloLabels = new ArrayList<>();
        for (String q : QUESTIONS.subList(0, 2)) {
            soloLabels.add(label(q).get(60, TimeUnit.SECONDS));
        }

        // All at once, joining at different moments, beside one that is cancelled mid-answer and one whose
        // listener throws mid-answer.
        RequestControl cancelled = RequestControl.unlimited();
        List<String> cancelledDeltas = new CopyOnWriteArrayList<>();
        CompletableFuture<GenerationResult> toCancel = answer("Tell me a long story", 200, delta -> {
            cancelledDeltas.add(delta);
            if (cancelledDeltas.size() == 20) {
                cancelled.cancel();
            }
        }, cancelled);
        List<String> failingDeltas = new CopyOnWriteArrayList<>();
        CompletableFuture<GenerationResult> failing = answer("Tell me another long story", 200, delta -> {
            failingDeltas.add(delta);
            if (failingDeltas.size() == 12) {
                throw new IllegalStateException("the client's listener broke");
            }
        }, RequestControl.unlimited());
        List<CompletableFuture<GenerationResult>> answers = new ArrayList<>();
        List<CompletableFuture<ChoiceResult>> labels = new ArrayList<>();
        for (int i = 0; i < QUESTIONS.size(); i++) {
            answers.add(answer(QUESTIONS.get(i), 24, TokenListener.NONE, RequestControl.unlimited()));
            if (i < 2) {
                labels.add(label(QUESTIONS.get(i)));
            }
            Thread.sleep(15L * i);
        }

        for (int i = 0; i < QUESTIONS.size(); i++) {
            assertThat(answers.get(i).get(60, TimeUnit.SECONDS).text()).as("answer %d batched vs alone", i)
                    .isEqualTo(soloTexts.get(i));
        }
        for (int i = 0; i < 2; i++) {
            ChoiceResult batched = labels.get(i).get(60, TimeUnit.SECONDS);
            assertThat(batched.choice()).isEqualTo(soloLabels.get(i).choice());
            assertThat(batched.probabilities()).as("label probabilities batched vs alone, bit for bit")
                    .isEqualTo(soloLabels.get(i).probabilities());
        }
        assertThat(toCancel.get(60, TimeUnit.SECONDS).finish()).isEqualTo(GenerationResult.Finish.CANCELLED);
        assertThatThrownBy(() -> failing.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("the client's listener broke");
        assertNoCacheInUse();
    }

    @Test
    void aNewRequestJoinsAtTheNextStepInsteadOfWaitingForARunningAnswer() throws Exception {
        RequestControl longOne = RequestControl.unlimited();
        List<String> deltas = new CopyOnWriteArrayList<>();
        CompletableFuture<GenerationResult> running = answer("Tell me everything", 4000, deltas::add, longOne);
        while (deltas.isEmpty()) {
            Thread.sleep(2);
        }
        GenerationResult quick = answer("hi", 3, TokenListener.NONE, RequestControl.unlimited()).get(30, TimeUnit.SECONDS);
        assertThat(quick.outputTokens()).isLessThanOrEqualTo(3);
        assertThat(running).as("the long answer still runs: the short one did not wait for it").isNotDone();
        ChoiceResult labelled = label("fast please").get(30, TimeUnit.SECONDS);
        assertThat(labelled.probabilities()).hasSize(3);
        assertThat(running).isNotDone();
        longOne.cancel();
        assertThat(running.get(30, TimeUnit.SECONDS).finish()).isEqualTo(GenerationResult.Finish.CANCELLED);
        assertNoCacheInUse();
    }

    /**
     * Every KV cache closed or kept for reuse, and nothing left in the batch. Read from this thread while the model
     * thread may still be counting (a finished request leaves the batch at its next step): a leak stays, a count
     * in flight settles.
     */
    private static void assertNoCacheInUse() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((engine.kvCachesInUse() != 0 || engine.inBatch() != 0) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(engine.kvCachesInUse()).isZero();
        assertThat(engine.inBatch()).isZero();
    }
}
