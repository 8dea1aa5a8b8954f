package dev.allinone.engine.generation;

import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.allinone.testing.Solo;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decode loop's rules, on a network that follows a script. Random weights almost never end a turn by
 * themselves, so the end-of-sequence paths need a transformer whose next token we choose; everything else
 * (tokenizer, detokenizer, sampler, stop handling) is the real thing.
 */
class TextGeneratorTest {

    private static final int IM_END = 151_645;
    private static final int END_OF_TEXT = 151_643;
    private static HfTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TestModels.tokenizer();
    }

    /** Emits the scripted tokens in order (each as the only likely next token), then repeats the last. */
    static final class ScriptedTransformer implements Transformer {
        final int[] script;
        final AtomicInteger open = new AtomicInteger();
        int step;
        RuntimeException failAt;
        int failStep = -1;

        ScriptedTransformer(int... script) {
            this.script = script;
        }

        @Override
        public int vocabularySize() {
            return 151_936;
        }

        @Override
        public KvCache newCache() {
            open.incrementAndGet();
            return new KvCache() {
                @Override
                public int positions() {
                    return 0;
                }

                @Override
                public long bytes() {
                    return 0;
                }

                @Override
                public void close() {
                    open.decrementAndGet();
                }
            };
        }

        @Override
        public float[] prefillRows(KvCache cache, int start, int[] tokens, int[] rows) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void copyPrefix(KvCache from, KvCache to, int length) {
            throw new UnsupportedOperationException();
        }


        @Override
        public float[] prefill(KvCache cache, int start, int[] tokens) {
            if (step == failStep) {
                throw failAt;
            }
            return logitsFor(script[Math.min(step++, script.length - 1)]);
        }

        @Override
        public float[][] prefillAll(KvCache cache, int start, int[] tokens) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] next(KvCache cache, int position, int token) {
            if (step == failStep) {
                throw failAt;
            }
            return logitsFor(script[Math.min(step++, script.length - 1)]);
        }

        private float[] logitsFor(int token) {
            float[] logits = new float[vocabularySize()];
            logits[token] = 50f;
            return logits;
        }

        @Override
        public long kvBytes(int positions) {
            return positions;
        }

        @Override
        public long weightBytes() {
            return 0;
        }

        @Override
        public long workingBytes(int contextLimit) {
            return 0;
        }

        @Override
        public int openCaches() {
            return open.get();
        }

        @Override
        public String kernels() {
            return "script";
        }

        @Override
        public String weightType() {
            return "script";
        }

        @Override
        public void close() {
        }
    }

    private GenerationResult run(ScriptedTransformer t, int maxNew, List<String> stops, List<String> deltas) {
        TextGenerator generator = new TextGenerator(tokenizer, Set.of(IM_END, END_OF_TEXT));
        GenerationSettings settings = new GenerationSettings(SamplingSettings.GREEDY, maxNew, stops);
        try (KvCache cache = t.newCache()) {
            return Solo.run(t, generator.answer(cache, 0, new int[] {1, 2, 3}, settings, maxNew, t.vocabularySize(),
                    deltas::add, () -> false, System.nanoTime()), 128).result();
        }
    }

    private int[] tokens(String text) {
        return tokenizer.encode(text);
    }

    @Test
    void stopsAtEitherEndOfSequenceToken() {
        for (int end : List.of(IM_END, END_OF_TEXT)) {
            int[] hello = tokens("Hello there");
            int[] script = java.util.Arrays.copyOf(hello, hello.length + 2);
            script[hello.length] = end;
            script[hello.length + 1] = tokens("never")[0];
            ScriptedTransformer t = new ScriptedTransformer(script);
            GenerationResult result = run(t, 50, List.of(), new ArrayList<>());
            assertThat(result.text()).isEqualTo("Hello there");
            assertThat(result.finish()).isEqualTo(GenerationResult.Finish.STOP);
            assertThat(result.outputTokens()).isEqualTo(hello.length);
            assertThat(t.openCaches()).isZero();
        }
    }

    @Test
    void streamsExactlyTheFinalText() {
        int[] script = tokens("你好，我的订单 🚚 还没到。");
        List<String> deltas = new ArrayList<>();
        GenerationResult result = run(new ScriptedTransformer(append(script, IM_END)), 100, List.of(), deltas);
        assertThat(String.join("", deltas)).isEqualTo(result.text()).isEqualTo("你好，我的订单 🚚 还没到。");
    }

    @Test
    void stopSequenceSpanningTokensIsNeverStreamed() {
        List<String> deltas = new ArrayList<>();
        GenerationResult result = run(new ScriptedTransformer(tokens("Answer: yes\nUser: more")), 100,
                List.of("\nUser:"), deltas);
        assertThat(result.text()).isEqualTo("Answer: yes");
        assertThat(String.join("", deltas)).isEqualTo("Answer: yes");
        assertThat(result.finish()).isEqualTo(GenerationResult.Finish.STOP);
    }

    @Test
    void cancellationStopsBeforeTheNextToken() {
        TextGenerator generator = new TextGenerator(tokenizer, Set.of(IM_END));
        ScriptedTransformer t = new ScriptedTransformer(tokens("one two three four five six"));
        List<String> deltas = new ArrayList<>();
        GenerationResult result;
        try (KvCache cache = t.newCache()) {
            result = Solo.run(t, generator.answer(cache, 0, new int[] {1}, new GenerationSettings(SamplingSettings.GREEDY, 100,
                    List.of()), 100, t.vocabularySize(), deltas::add, () -> deltas.size() >= 2, System.nanoTime()), 128).result();
        }
        assertThat(result.finish()).isEqualTo(GenerationResult.Finish.CANCELLED);
        assertThat(result.outputTokens()).isEqualTo(2);
        assertThat(t.openCaches()).isZero();
    }

    @Test
    void aNetworkFailureReachesTheCallerAndLeaksNothing() {
        ScriptedTransformer t = new ScriptedTransformer(tokens("one two three four"));
        t.failStep = 2;
        t.failAt = new IllegalStateException("kernel failure");
        assertThatThrownBy(() -> run(t, 100, List.of(), new ArrayList<>())).hasMessage("kernel failure");
        assertThat(t.openCaches()).isZero();
    }

    private static int[] append(int[] a, int x) {
        int[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = x;
        return r;
    }
}
