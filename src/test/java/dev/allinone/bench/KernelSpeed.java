package dev.allinone.bench;

import dev.allinone.engine.cpu.CpuTransformer;
import dev.allinone.engine.jlama.JlamaTransformer;
import dev.allinone.engine.transformer.KvCache;
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
 */
public final class KernelSpeed {

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String kind = args[1];
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        long t0 = System.nanoTime();
        Transformer t = kind.equals("jlama") ? JlamaTransformer.load(dir, threads) : CpuTransformer.load(dir, threads, WeightFormat.valueOf(kind.toUpperCase(java.util.Locale.ROOT)));
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        int[] prompt = new Random(1).ints(100, 0, 150_000).toArray();
        List<Double> prefill = new ArrayList<>(), decode = new ArrayList<>();
        for (int run = 0; run < 8; run++) {
            try (KvCache cache = t.newCache()) {
                long a = System.nanoTime();
                t.prefill(cache, 0, prompt);
                long b = System.nanoTime();
                for (int i = 0; i < 32; i++) {
                    t.next(cache, 100 + i, 1000 + i);
                }
                long c = System.nanoTime();
                if (run > 0) {
                    prefill.add(100 / ((b - a) / 1e9));
                    decode.add(32 / ((c - b) / 1e9));
                }
            }
        }
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
        long[] rss = Stats.rssMegabytes(ProcessHandle.current().pid());
        System.out.printf("RESULT %s load %.1fs prefill %.1f tok/s decode %.1f tok/s sentiment p50 %.0f ms peak RSS %d MB"
                        + " (%s, %s)%n", kind, loadSeconds, Stats.median(prefill), Stats.median(decode),
                Stats.median(sentiment), rss[1], t.kernels(), t.weightType());
        t.close();
        System.exit(0);
    }
}
