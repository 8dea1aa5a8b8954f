package dev.allinone.testing;

import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.TransformerFactory;
import dev.allinone.engine.transformer.WeightFormat;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real transformer, with a fault that a test can arm: after a given number of decode steps (steps of the
 * batch with a token being generated) the network throws, as a kernel failure would; and it counts the steps. The real engine cannot be made to fail on demand any other way.
 */
public final class FaultyTransformers implements TransformerFactory {

    private final AtomicInteger stepsUntilFault = new AtomicInteger(-1);
    private final AtomicInteger steps = new AtomicInteger();

    /** Steps of the batch run so far (every forward pass through {@code step}). */
    public int steps() {
        return steps.get();
    }

    /** The {@code steps}-th next decode step throws (once). */
    public void failAfter(int steps) {
        stepsUntilFault.set(steps);
    }

    @Override
    public Transformer load(java.nio.file.Path modelDir, int threads) {
        CpuTransformer real = CpuTransformer.load(modelDir, threads, WeightFormat.Q4); // the default kernels and format
        return new Transformer() {
            @Override
            public int vocabularySize() {
                return real.vocabularySize();
            }

            @Override
            public KvCache newCache() {
                return real.newCache();
            }

            @Override
            public float[] prefill(KvCache cache, int start, int[] tokens) {
                return real.prefill(cache, start, tokens);
            }

            @Override
            public float[][] prefillAll(KvCache cache, int start, int[] tokens) {
                return real.prefillAll(cache, start, tokens);
            }

            @Override
            public float[] prefillRows(KvCache cache, int start, int[] tokens, int[] rows) {
                return real.prefillRows(cache, start, tokens, rows);
            }

            @Override
            public java.util.List<float[][]> step(java.util.List<dev.allinone.engine.transformer.Segment> segments) {
                steps.incrementAndGet();
                boolean decoding = segments.stream().anyMatch(s -> s.tokens().length == 1
                        && s.output() == dev.allinone.engine.transformer.Segment.Output.LAST);
                if (decoding && stepsUntilFault.get() > 0 && stepsUntilFault.decrementAndGet() == 0) {
                    stepsUntilFault.set(-1);
                    throw new IllegalStateException("injected kernel fault");
                }
                return real.step(segments);
            }

            @Override
            public int maxStepTokens() {
                return real.maxStepTokens();
            }

            @Override
            public float[] next(KvCache cache, int position, int token) {
                if (stepsUntilFault.get() > 0 && stepsUntilFault.decrementAndGet() == 0) {
                    stepsUntilFault.set(-1);
                    throw new IllegalStateException("injected kernel fault");
                }
                return real.next(cache, position, token);
            }

            @Override
            public void copyPrefix(KvCache from, KvCache to, int length) {
                real.copyPrefix(from, to, length);
            }

            @Override
            public long kvBytes(int positions) {
                return real.kvBytes(positions);
            }

            @Override
            public long weightBytes() {
                return real.weightBytes();
            }

            @Override
            public long workingBytes(int contextLimit) {
                return real.workingBytes(contextLimit);
            }

            @Override
            public int openCaches() {
                return real.openCaches();
            }

            @Override
            public String kernels() {
                return real.kernels();
            }

            @Override
            public String weightType() {
                return real.weightType();
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }
}
