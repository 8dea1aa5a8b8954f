package dev.allinone.engine.generation;

import dev.allinone.engine.api.SamplingSettings;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from logits: penalties for tokens already generated, then greedy (temperature 0) or
 * temperature / top-k / top-p sampling, as Hugging Face's {@code generate} applies them.
 *
 * <p>Ids at or above {@code textVocabulary} exist in the embedding but not in the tokenizer (Qwen1.5 pads
 * its vocabulary to 151,936); they have no text and are never picked.
 */
public final class Sampler {

    private final SamplingSettings settings;
    private final int textVocabulary;
    private final RandomGenerator random;
    /** Tokens of the prompt and the answer so far: the repetition penalty's set, as in transformers. */
    private final boolean[] seen;
    /** The same tokens as a list, so the penalties visit only them, not the whole vocabulary. */
    private int[] seenList;
    private int seenCount;
    /** How often each token was generated so far: the frequency and presence penalties' counts, as in OpenAI's API. */
    private final int[] counts;

    Sampler(SamplingSettings settings, int textVocabulary, int logitsLength, int[] prompt, RandomGenerator random) {
        this.settings = settings;
        this.textVocabulary = Math.min(textVocabulary, logitsLength);
        this.random = random;
        this.seen = new boolean[logitsLength];
        this.counts = new int[logitsLength];
        this.seenList = new int[Math.max(16, prompt.length)];
        for (int token : prompt) {
            markSeen(token);
        }
    }

    private void markSeen(int token) {
        if (!seen[token]) {
            seen[token] = true;
            if (seenCount == seenList.length) {
                seenList = Arrays.copyOf(seenList, seenCount * 2);
            }
            seenList[seenCount++] = token;
        }
    }

    /** Chooses a token; {@code logits} is used as scratch space. */
    int sample(float[] logits) {
        applyPenalties(logits);
        int best = argmax(logits);
        if (settings.greedy()) {
            return best;
        }
        float max = logits[best];
        double invT = 1.0 / settings.temperature();

        int k = settings.topK() > 0 ? Math.min(settings.topK(), textVocabulary) : textVocabulary;
        int[] candidates = k < textVocabulary ? topK(logits, k) : allTokensByLogit(logits);

        double[] probs = new double[candidates.length];
        double sum = 0;
        for (int i = 0; i < candidates.length; i++) {
            probs[i] = Math.exp((logits[candidates[i]] - max) * invT);
            sum += probs[i];
        }
        // Nucleus: the smallest prefix of the (descending) candidates whose mass reaches topP.
        int keep = candidates.length;
        if (settings.topP() < 1.0) {
            double mass = 0;
            for (int i = 0; i < candidates.length; i++) {
                mass += probs[i] / sum;
                if (mass >= settings.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        double keptSum = 0;
        for (int i = 0; i < keep; i++) {
            keptSum += probs[i];
        }
        double u = random.nextDouble() * keptSum;
        for (int i = 0; i < keep; i++) {
            u -= probs[i];
            if (u <= 0) {
                return candidates[i];
            }
        }
        return candidates[keep - 1];
    }

    /** Records a generated token so the penalties see it. */
    void accept(int token) {
        markSeen(token);
        counts[token]++;
    }

    private void applyPenalties(float[] logits) {
        double repetition = settings.repetitionPenalty();
        double frequency = settings.frequencyPenalty();
        double presence = settings.presencePenalty();
        boolean any = repetition != 1.0 || frequency != 0 || presence != 0;
        if (!any) {
            return;
        }
        for (int i = 0; i < seenCount; i++) {
            int id = seenList[i];
            float v = logits[id];
            if (repetition != 1.0) {
                // CTRL-style, as in transformers: shrink positive logits, push negative ones further down.
                v = (float) (v > 0 ? v / repetition : v * repetition);
            }
            int c = counts[id];
            if (c > 0) {
                v -= (float) (frequency * c + presence);
            }
            logits[id] = v;
        }
    }

    private int argmax(float[] logits) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < textVocabulary; i++) {
            if (logits[i] > max) {
                max = logits[i];
                best = i;
            }
        }
        return best;
    }

    /** Indices of the {@code k} largest logits, largest first. */
    private int[] topK(float[] logits, int k) {
        // A min-heap of size k over the vocabulary: O(V log k).
        int[] heap = new int[k];
        int size = 0;
        for (int i = 0; i < textVocabulary; i++) {
            if (size < k) {
                heap[size] = i;
                siftUp(heap, size++, logits);
            } else if (logits[i] > logits[heap[0]]) {
                heap[0] = i;
                siftDown(heap, size, logits);
            }
        }
        Integer[] boxed = new Integer[size];
        for (int i = 0; i < size; i++) {
            boxed[i] = heap[i];
        }
        Arrays.sort(boxed, (a, b) -> Float.compare(logits[b], logits[a]));
        int[] result = new int[size];
        for (int i = 0; i < size; i++) {
            result[i] = boxed[i];
        }
        return result;
    }

    private int[] allTokensByLogit(float[] logits) {
        // Sort (logit, id) pairs packed in longs: the float's bits are made order-preserving as a signed int.
        long[] packed = new long[textVocabulary];
        for (int i = 0; i < textVocabulary; i++) {
            int bits = Float.floatToIntBits(logits[i]);
            int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
            packed[i] = ((long) ordered << 32) | i;
        }
        Arrays.sort(packed);
        int[] result = new int[textVocabulary];
        for (int i = 0; i < textVocabulary; i++) {
            result[i] = (int) packed[textVocabulary - 1 - i];
        }
        return result;
    }

    private static void siftUp(int[] heap, int i, float[] logits) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (logits[heap[i]] >= logits[heap[parent]]) {
                return;
            }
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, float[] logits) {
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            int right = left + 1;
            int smallest = i;
            if (left < size && logits[heap[left]] < logits[heap[smallest]]) {
                smallest = left;
            }
            if (right < size && logits[heap[right]] < logits[heap[smallest]]) {
                smallest = right;
            }
            if (smallest == i) {
                return;
            }
            swap(heap, i, smallest);
            i = smallest;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
