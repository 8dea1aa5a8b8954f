package dev.allinone.engine.scheduling;

/**
 * How big a step of the batch may be: at most {@code maxSequences} requests in the batch at once, and at most
 * {@code stepTokens} tokens (rows) per forward pass, all sequences together. Every sequence gets at least one
 * row per step, so {@code stepTokens} is at least {@code maxSequences}; a prompt longer than what is left is
 * read a chunk per step, so a long prompt never holds the answers being generated for more than one chunk.
 */
public record BatchPlan(int maxSequences, int stepTokens) {

    public BatchPlan {
        if (maxSequences < 1 || stepTokens < maxSequences) {
            throw new IllegalArgumentException("A batch needs at least one sequence and a token per sequence per step, not "
                    + maxSequences + " sequences and " + stepTokens + " tokens");
        }
    }

    /** One request at a time, its prompt in chunks of {@code stepTokens}. */
    public static BatchPlan oneAtATime(int stepTokens) {
        return new BatchPlan(1, stepTokens);
    }
}
