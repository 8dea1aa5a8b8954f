package dev.allinone.testing;

/** Reading logits in tests. */
public final class Logits {

    private Logits() {
    }

    /** The most probable token: the first of the largest logits. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
