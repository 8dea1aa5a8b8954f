package dev.allinone.engine.generation;

import dev.allinone.engine.api.SamplingSettings;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SamplerTest {

    private static final int VOCAB = 1000;

    private static float[] logits() {
        float[] logits = new float[VOCAB + 10];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = -i * 0.01f;
        }
        logits[VOCAB + 5] = 100f; // beyond the tokenizer: must never be chosen
        logits[7] = 5f;
        logits[3] = 4.5f;
        return logits;
    }

    private static Sampler sampler(SamplingSettings settings) {
        return new Sampler(settings, VOCAB, VOCAB + 10, new int[0], new SplittableRandom(1));
    }

    @Test
    void greedyPicksTheLargestLogitWithText() {
        assertThat(sampler(SamplingSettings.GREEDY).sample(logits())).isEqualTo(7);
    }

    @Test
    void topKOneIsGreedy() {
        Sampler s = sampler(new SamplingSettings(1.0, 1.0, 1, 1.0, 0, 0));
        for (int i = 0; i < 50; i++) {
            assertThat(s.sample(logits())).isEqualTo(7);
        }
    }

    @Test
    void topKLimitsTheCandidates() {
        Sampler s = sampler(new SamplingSettings(5.0, 1.0, 2, 1.0, 0, 0));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(logits()));
        }
        assertThat(seen).containsExactlyInAnyOrder(7, 3);
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // At temperature 0.5, token 7 alone carries ~73% of the mass: top-p 0.5 keeps only it.
        Sampler s = sampler(new SamplingSettings(0.5, 0.5, 0, 1.0, 0, 0));
        for (int i = 0; i < 100; i++) {
            assertThat(s.sample(logits())).isEqualTo(7);
        }
    }

    @Test
    void highTemperatureSpreadsChoicesButNeverBeyondTheTokenizer() {
        Sampler s = sampler(new SamplingSettings(50.0, 1.0, 0, 1.0, 0, 0));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            int t = s.sample(logits());
            assertThat(t).isLessThan(VOCAB);
            seen.add(t);
        }
        assertThat(seen.size()).isGreaterThan(100);
    }

    @Test
    void repetitionPenaltyDemotesSeenTokens() {
        Sampler s = new Sampler(new SamplingSettings(0, 1.0, 0, 2.0, 0, 0), VOCAB, VOCAB + 10, new int[] {7},
                new SplittableRandom(1));
        assertThat(s.sample(logits())).isEqualTo(3); // 5/2 < 4.5
    }

    @Test
    void presencePenaltyAppliesToGeneratedTokens() {
        Sampler s = sampler(new SamplingSettings(0, 1.0, 0, 1.0, 0, 1.0));
        s.accept(7);
        assertThat(s.sample(logits())).isEqualTo(3); // 5-1 < 4.5
    }
}
