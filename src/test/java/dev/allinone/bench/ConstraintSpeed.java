package dev.allinone.bench;

import dev.allinone.engine.constraint.JsonMatcher;
import dev.allinone.engine.constraint.JsonOracle;
import dev.allinone.engine.constraint.JsonSchema;
import dev.allinone.engine.constraint.SchemaCompiler;
import dev.allinone.engine.constraint.TokenMask;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What the token mask costs per token over Qwen1.5's 151,646 tokens: {@code ConstraintSpeed <tokenizer.json>}.
 * Random walks through every test schema (each step a random allowed token, the end of turn once the value is
 * complete), timing {@link TokenMask#allowed} at every step after a warm-up; prints p50, p99 and the largest.
 */
public final class ConstraintSpeed {

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        TokenMask mask = TokenMask.of(Path.of(args[0]), 151_646);
        System.out.printf("vocabulary read and indexed in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        List<Long> inString = new ArrayList<>(), elsewhere = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 3; round++) {
            for (JsonOracle.Case c : JsonOracle.cases()) {
                JsonSchema schema = SchemaCompiler.compile(c.schema());
                for (int walk = 0; walk < 4; walk++) {
                    JsonMatcher m = schema.start();
                    for (int step = 0; step < 40 && !m.finished(); step++) {
                        long a = System.nanoTime();
                        BitSet allowed = mask.allowed(m);
                        long nanos = System.nanoTime() - a;
                        if (round > 0) {
                            (m.toString().contains("Chars[") ? inString : elsewhere).add(nanos);
                        }
                        if (allowed.isEmpty() || m.complete() && random.nextInt(4) == 0) {
                            break;
                        }
                        int pick = random.nextInt(allowed.cardinality());
                        int token = allowed.nextSetBit(0);
                        for (int i = 0; i < pick; i++) {
                            token = allowed.nextSetBit(token + 1);
                        }
                        m = m.feed(mask.bytes(token));
                    }
                }
            }
        }
        List<Long> all = new ArrayList<>(inString);
        all.addAll(elsewhere);
        System.out.println("RESULT mask per token: " + summary(all) + "; inside strings " + summary(inString)
                + "; elsewhere " + summary(elsewhere));
    }

    private static String summary(List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        return String.format(java.util.Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d steps)",
                sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6,
                sorted.getLast() / 1e6, sorted.size());
    }
}
