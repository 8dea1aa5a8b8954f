package dev.allinone.engine;

import dev.allinone.engine.api.DeadlineExceededException;
import dev.allinone.engine.api.EngineBusyException;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.ModelNotReadyException;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.jlama.JlamaTransformer;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestModels;
import dev.allinone.testing.TestProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Who gets the one model, and when: a bounded queue, a wait limit, and request deadlines that stop a
 * generation within one token and let the next request start at once. The batch holds one request here, so
 * that the others wait (ContinuousBatchingTest covers many at once).
 */
class AdmissionTest {

    private static LocalEngine engine;

    @BeforeAll
    static void start() {
        // One runs, two may wait; a request that waited 1.5 s is dropped. Answers up to 4000 tokens (seconds of work).
        engine = TestEngines.start(TestProperties.offline(TestModels.tiny()),
                TestProperties.engine("kv-cache-budget=8MB", "queue-capacity=2", "queue-timeout=1500ms",
                        "batch.max-sequences=1"));
    }

    @AfterAll
    static void stop() {
        engine.stop();
    }

    private static CompletableFuture<GenerationResult> longAnswer(RequestControl control) {
        return engine.generate(List.of(new PromptEncoder.Message("user", "Tell me everything")),
                new GenerationSettings(SamplingSettings.GREEDY, 4000, List.of()), TokenListener.NONE, control);
    }

    /** Until the model thread has taken every queued request (an event, not a guess at how long that takes). */
    private static void awaitStarted() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (engine.waiting() > 0) {
            assertThat(System.nanoTime()).as("the queued request started within 30 s").isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    private static Throwable failure(CompletableFuture<?> future) {
        try {
            future.get(60, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndAWaitTooLongIsDropped() throws Exception {
        RequestControl running = RequestControl.unlimited();
        CompletableFuture<GenerationResult> first = longAnswer(running);
        awaitStarted(); // the first one runs; the next two wait
        List<CompletableFuture<GenerationResult>> waiting = List.of(longAnswer(RequestControl.unlimited()),
                longAnswer(RequestControl.unlimited()));
        long start = System.nanoTime();
        Throwable refused = failure(longAnswer(RequestControl.unlimited()));
        assertThat(refused).isInstanceOf(EngineBusyException.class);
        assertThat(((EngineBusyException) refused).reason()).isEqualTo(EngineBusyException.Reason.QUEUE_FULL);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));

        // The running one takes longer than the wait limit: when its turn comes, a waiter is dropped.
        Thread.sleep(1700);
        running.cancel();
        assertThat(first.get(10, TimeUnit.SECONDS).finish()).isEqualTo(GenerationResult.Finish.CANCELLED);
        for (CompletableFuture<GenerationResult> w : waiting) {
            Throwable t = failure(w);
            assertThat(t).isInstanceOf(EngineBusyException.class);
            assertThat(((EngineBusyException) t).reason()).isEqualTo(EngineBusyException.Reason.QUEUE_TIMEOUT);
        }
        assertThat(engine.kvCachesInUse()).isZero();
    }

    @Test
    void pastItsDeadlineAGenerationStopsAndTheNextStartsAtOnce() throws Exception {
        CompletableFuture<GenerationResult> late = longAnswer(RequestControl.withTimeout(Duration.ofMillis(400)));
        long start = System.nanoTime();
        CompletableFuture<GenerationResult> next = engine.generate(List.of(new PromptEncoder.Message("user", "hi")),
                new GenerationSettings(SamplingSettings.GREEDY, 3, List.of()), TokenListener.NONE, RequestControl.unlimited());

        assertThat(failure(late)).isInstanceOf(DeadlineExceededException.class);
        assertThat(next.get(10, TimeUnit.SECONDS).outputTokens()).isEqualTo(3);
        // Stopped near its deadline (within a token), not after its 4000 tokens.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        assertThat(engine.kvCachesInUse()).isZero();
    }

    @Test
    void aRequestPastItsDeadlineWhileQueuedNeverTouchesTheModel() throws Exception {
        RequestControl running = RequestControl.unlimited();
        CompletableFuture<GenerationResult> first = longAnswer(running);
        awaitStarted();
        RequestControl shortDeadline = RequestControl.withTimeout(Duration.ofMillis(200));
        CompletableFuture<GenerationResult> queued = longAnswer(shortDeadline);
        await().atMost(Duration.ofSeconds(10)).until(shortDeadline::expired); // still queued behind the first
        running.cancel();
        first.get(10, TimeUnit.SECONDS);
        assertThat(failure(queued)).isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("while it waited");
    }

    @Test
    void aCancelledRequestStopsWithinATokenAndReleasesItsCache() throws Exception {
        RequestControl control = RequestControl.unlimited();
        List<String> deltas = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<GenerationResult> result = engine.generate(List.of(new PromptEncoder.Message("user", "go")),
                new GenerationSettings(SamplingSettings.GREEDY, 4000, List.of()), delta -> {
                    deltas.add(delta);
                    if (deltas.size() == 5) {
                        control.cancel();
                    }
                }, control);
        GenerationResult r = result.get(10, TimeUnit.SECONDS);
        assertThat(r.finish()).isEqualTo(GenerationResult.Finish.CANCELLED);
        assertThat(r.outputTokens()).isLessThanOrEqualTo(6);
        assertThat(engine.kvCachesInUse()).isZero();
    }

    @Test
    void afterCloseNothingIsAdmitted() {
        LocalEngine closing = TestEngines.start(TestProperties.offline(TestModels.tiny()), TestProperties.engine(4096, DataSize.ofMegabytes(8)));
        closing.stop();
        assertThatThrownBy(() -> closing.generate(List.of(new PromptEncoder.Message("user", "hi")),
                new GenerationSettings(SamplingSettings.GREEDY, 3, List.of()), TokenListener.NONE, RequestControl.unlimited()))
                .isInstanceOf(ModelNotReadyException.class);
    }
}
