package dev.allinone.engine;

import dev.allinone.testing.Logits;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Segment;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.WeightFormat;
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestModels;
import dev.allinone.testing.TestProperties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sequence's logits are bit for bit the same whether it runs alone or in a batched step beside others: seven
 * sequences of different lengths join at different steps, read their prompts in chunks of different sizes,
 * generate greedily, score candidate rows, and leave at different steps; every logits row they get equals the
 * row they get alone. On our kernels in every weight format, on a checkpoint wide enough (MLP 1024) to take the
 * blocked kernel paths.
 */
class BatchInvarianceTest {

    private static final int[] PROMPTS = {3, 17, 40, 9, 70, 1, 33};
    private static final int[] JOINS = {0, 0, 1, 2, 2, 5, 6};
    private static final int[] DECODE = {6, 3, 8, 1, 5, 7, 0};
    private static final int CHUNK = 16;
    private static final int[] CANDIDATES = {11, 4242, 99_999};

    /** What a sequence got: every logits row, in order. */
    private static List<float[]> solo(Transformer t, int[] prompt, int decode) {
        List<float[]> rows = new ArrayList<>();
        try (KvCache cache = t.newCache()) {
            float[] logits = t.prefill(cache, 0, prompt);
            rows.add(logits);
            int position = prompt.length;
            for (int d = 0; d < decode; d++) {
                logits = t.next(cache, position++, Logits.argmax(logits));
                rows.add(logits);
            }
            if (decode == 0) { // a scoring sequence: candidate rows after the prompt, then all rows of two tokens
                rows.add(t.prefillRows(cache, 0, prompt, CANDIDATES));
                rows.addAll(List.of(t.prefillAll(cache, prompt.length, new int[] {5, 6})));
            }
        }
        return rows;
    }

    /** One sequence's state in the batched run. */
    private static final class Running {
        final int[] prompt;
        final int decode;
        final KvCache cache;
        final List<float[]> rows = new ArrayList<>();
        int read;
        int decoded;
        int last;
        int phase; // 0 reading, 1 decoding, 2 candidates, 3 two more tokens, 4 done

        Running(int[] prompt, int decode, KvCache cache) {
            this.prompt = prompt;
            this.decode = decode;
            this.cache = cache;
        }

        Segment next() {
            return switch (phase) {
                case 0 -> {
                    int end = Math.min(prompt.length, read + CHUNK - (read % 5)); // uneven chunks
                    yield Segment.of(cache, read, Arrays.copyOfRange(prompt, read, end),
                            end == prompt.length ? Segment.Output.LAST : Segment.Output.NONE);
                }
                case 1 -> Segment.of(cache, prompt.length + decoded - 1, new int[] {last}, Segment.Output.LAST);
                case 2 -> Segment.rows(cache, prompt.length - 1, new int[] {prompt[prompt.length - 1]}, CANDIDATES);
                case 3 -> Segment.of(cache, prompt.length, new int[] {5, 6}, Segment.Output.ALL);
                default -> null;
            };
        }

        void accept(Segment s, float[][] logits) {
            switch (phase) {
                case 0 -> {
                    read += s.tokens().length;
                    if (read == prompt.length) {
                        rows.add(logits[0]);
                        last = Logits.argmax(logits[0]);
                        phase = decode > 0 ? 1 : 2;
                        decoded = 1;
                    }
                }
                case 1 -> {
                    rows.add(logits[0]);
                    last = Logits.argmax(logits[0]);
                    if (decoded++ == decode) {
                        phase = 4;
                    }
                }
                case 2 -> {
                    rows.add(logits[0]);
                    phase = 3;
                }
                case 3 -> {
                    rows.addAll(List.of(logits));
                    phase = 4;
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void everyRowOfABatchedStepEqualsTheSequenceAlone(WeightFormat format) {
        Path dir = TestModels.directory(TestModels.small()).path();
        Random random = new Random(3);
        int[][] prompts = new int[PROMPTS.length][];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = random.ints(PROMPTS[i], 0, 150_000).toArray();
        }
        try (Transformer t = TestEngines.transformers(TestProperties.engine("weight-format=" + format)).load(dir, 2)) {
            List<List<float[]>> alone = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                alone.add(solo(t, prompts[i], DECODE[i]));
            }

            List<Running> all = new ArrayList<>();
            List<Running> active = new ArrayList<>();
            int widest = 0;
            for (int step = 0; all.size() < prompts.length || !active.isEmpty(); step++) {
                for (int i = 0; i < prompts.length; i++) {
                    if (JOINS[i] == step) {
                        Running r = new Running(prompts[i], DECODE[i], t.newCache());
                        all.add(r);
                        active.add(r);
                    }
                }
                List<Segment> segments = new ArrayList<>();
                for (Running r : active) {
                    segments.add(r.next());
                }
                if (segments.isEmpty()) {
                    continue;
                }
                widest = Math.max(widest, segments.size());
                List<float[][]> logits = t.step(segments);
                for (int i = 0; i < active.size(); i++) {
                    active.get(i).accept(segments.get(i), logits.get(i));
                }
                active.removeIf(r -> {
                    if (r.phase == 4) {
                        r.cache.close();
                        return true;
                    }
                    return false;
                });
            }
            assertThat(widest).as("sequences in the widest step").isGreaterThanOrEqualTo(5);
            for (int i = 0; i < prompts.length; i++) {
                List<float[]> batched = all.get(i).rows;
                assertThat(batched).as("rows of sequence %d", i).hasSameSizeAs(alone.get(i));
                for (int r = 0; r < batched.size(); r++) {
                    // Arrays.equals compares the bits of every float (AssertJ's containsExactly is quadratic).
                    assertThat(Arrays.equals(batched.get(r), alone.get(i).get(r)))
                            .as("%s: sequence %d, logits row %d, batched vs alone, bit for bit", format, i, r).isTrue();
                }
            }
            assertThat(t.openCaches()).isZero();
        }
    }
}
