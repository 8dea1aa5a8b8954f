package dev.allinone.bench;

import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.jlama.JlamaTransformer;
import dev.allinone.engine.transformer.KvCache;
import dev.allinone.engine.transformer.Segment;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.WeightFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Decode and prefill speed of one transformer configuration on a model directory, each in a JVM of its own:
 * {@code KernelSpeed <modelDir> <jlama|bf16|q8|q4> [threads]}. Prints one RESULT line: prefill of a 100-token
 * prompt, decode of 32 tokens after it, a sentiment-shaped request (a kept 120-token system prefix, then a
 * 30-token review and template, scoring 3 label rows — what the engine does per review), and peak RSS.
 * {@code ... batched}: decode steps over 1/2/4/8 sequences only; {@code ... long}: prefill of 2,000 tokens and
 * decode after them only (where attention, not the weights, takes most of a token's time).
 */
public final class KernelSpeed {

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String kind = args[1];
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        long t0 = System.nanoTime();
        Transformer t = kind.equals("jlama") ? JlamaTransformer.load(dir, threads) : CpuTransformer.load(dir, threads, WeightFormat.valueOf(kind.toUpperCase(java.util.Locale.ROOT)));
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        if (args.length > 3 && args[3].equals("batched")) {
            System.out.println("RESULT " + kind + " batched decode " + batchedDecode(t));
            System.exit(0);
        }
        if (args.length > 3 && args[3].equals("long")) {
            System.out.println("RESULT " + kind + " " + longContext(t, 2000));
            System.exit(0);
        }
        double[] speeds = prefillThenDecode(t, new Random(1).ints(100, 0, 150_000).toArray(), 8);
        List<Double> sentiment = new ArrayList<>();
        int[] system = new Random(2).ints(120, 0, 150_000).toArray();
        try (KvCache prefix = t.newCache()) {
            t.prefill(prefix, 0, system);
            for (int run = 0; run < 22; run++) {
                int[] review = new Random(100 + run).ints(30, 0, 150_000).toArray();
                long a = System.nanoTime();
                try (KvCache cache = t.newCache()) {
                    t.copyPrefix(prefix, cache, system.length);
                    t.prefillRows(cache, system.length, review, new int[]{30_000, 40_000, 50_000});
                }
                if (run >= 2) {
                    sentiment.add((System.nanoTime() - a) / 1e6);
                }
            }
        }
        String batched = batchedDecode(t);
        long[] rss = Stats.rssMegabytes(ProcessHandle.current().pid());
        System.out.printf("RESULT %s load %.1fs prefill %.1f tok/s decode %.1f tok/s sentiment p50 %.0f ms peak RSS %d MB"
                        + " (%s, %s)%n", kind, loadSeconds, speeds[0], speeds[1],
                Stats.median(sentiment), rss[1], t.kernels(), t.weightType());
        System.out.println("RESULT " + kind + " batched decode " + batched);
        t.close();
        System.exit(0);
    }

    /**
     * Decode steps over 1, 2, 4 and 8 sequences at once ({@link Transformer#step}, as the engine's batch runs
     * them): aggregate tok/s; and whether sequence 0's logits over 16 steps beside 3 others (at other positions)
     * are bit for bit those it gets alone.
     */
    private static String batchedDecode(Transformer t) {
        StringBuilder out = new StringBuilder();
        double one = 0;
        for (int n : new int[] {1, 2, 4, 8}) {
            List<KvCache> caches = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                KvCache cache = t.newCache();
                t.prefill(cache, 0, new Random(10 + s).ints(20 + 7 * s, 0, 150_000).toArray());
                caches.add(cache);
            }
            List<Double> rates = new ArrayList<>();
            for (int run = 0; run < 4; run++) {
                long a = System.nanoTime();
                for (int i = 0; i < 16; i++) {
                    List<Segment> segments = new ArrayList<>();
                    for (int s = 0; s < n; s++) {
                        segments.add(Segment.of(caches.get(s), 20 + 7 * s + run * 16 + i, new int[] {1000 + i},
                                Segment.Output.LAST));
                    }
                    t.step(segments);
                }
                if (run > 0) {
                    rates.add(16.0 * n / ((System.nanoTime() - a) / 1e9));
                }
            }
            caches.forEach(KvCache::close);
            double rate = Stats.median(rates);
            one = n == 1 ? rate : one;
            out.append(String.format(java.util.Locale.ROOT, "%d: %.1f tok/s (%.2f×) ", n, rate, rate / one));
        }
        // Bit-identical: sequence 0 alone vs beside three others.
        int[] prompt = new Random(77).ints(40, 0, 150_000).toArray();
        List<float[]> alone = new ArrayList<>();
        try (KvCache cache = t.newCache()) {
            float[] logits = t.prefill(cache, 0, prompt);
            alone.add(logits);
            for (int i = 0; i < 16; i++) {
                logits = t.next(cache, prompt.length + i, 500 + i);
                alone.add(logits);
            }
        }
        double maxDiff = 0;
        List<KvCache> others = new ArrayList<>();
        try (KvCache cache = t.newCache()) {
            for (int s = 0; s < 3; s++) {
                KvCache other = t.newCache();
                t.prefill(other, 0, new Random(90 + s).ints(11 + 13 * s, 0, 150_000).toArray());
                others.add(other);
            }
            List<Segment> first = new ArrayList<>(List.of(Segment.of(cache, 0, prompt, Segment.Output.LAST)));
            for (int s = 0; s < 3; s++) {
                first.add(Segment.of(others.get(s), 11 + 13 * s, new int[] {7}, Segment.Output.LAST));
            }
            maxDiff = Math.max(maxDiff, diff(alone.get(0), t.step(first).getFirst()[0]));
            for (int i = 0; i < 16; i++) {
                List<Segment> segments = new ArrayList<>(List.of(Segment.of(cache, prompt.length + i, new int[] {500 + i},
                        Segment.Output.LAST)));
                for (int s = 0; s < 3; s++) {
                    segments.add(Segment.of(others.get(s), 12 + 13 * s + i, new int[] {8 + i}, Segment.Output.LAST));
                }
                maxDiff = Math.max(maxDiff, diff(alone.get(i + 1), t.step(segments).getFirst()[0]));
            }
        } finally {
            others.forEach(KvCache::close);
        }
        return out.append(maxDiff == 0 ? "; beside 3 others: bit-identical to alone"
                : "; beside 3 others: max |logit difference| " + maxDiff).toString();
    }

    /** Prefill of {@code context} tokens and decode of 32 after them, median of three runs after one warm-up. */
    private static String longContext(Transformer t, int context) {
        double[] speeds = prefillThenDecode(t, new Random(3).ints(context, 0, 150_000).toArray(), 4);
        return String.format(java.util.Locale.ROOT, "at %d tokens of context: prefill %.1f tok/s, decode %.1f tok/s",
                context, speeds[0], speeds[1]);
    }

    /** Median prefill and decode tok/s of {@code prompt} then 32 tokens after it, over {@code runs} runs but the first. */
    private static double[] prefillThenDecode(Transformer t, int[] prompt, int runs) {
        List<Double> prefill = new ArrayList<>(), decode = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            try (KvCache cache = t.newCache()) {
                long a = System.nanoTime();
                t.prefill(cache, 0, prompt);
                long b = System.nanoTime();
                for (int i = 0; i < 32; i++) {
                    t.next(cache, prompt.length + i, 1000 + i);
                }
                long c = System.nanoTime();
                if (run > 0) {
                    prefill.add(prompt.length / ((b - a) / 1e9));
                    decode.add(32 / ((c - b) / 1e9));
                }
            }
        }
        return new double[] {Stats.median(prefill), Stats.median(decode)};
    }

    private static double diff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                max = Math.max(max, Math.max(Math.abs(a[i] - b[i]), Double.MIN_VALUE));
            }
        }
        return max;
    }
}
