package dev.allinone.engine.quality;

import java.util.List;

/**
 * Sums, position by position, how a format's logits differ from the reference's; {@link #report} turns the sums
 * into a {@link QualityReport}. In double precision: a vocabulary of 151,936 logits per position. Positions are
 * compared on their own ({@link #position}, in parallel) and added in order, so the sums do not depend on threads.
 */
final class LogitComparison {

    /** One position: squared differences, squared spread around the reference's mean, KL, same top token. */
    record Position(double squaredError, double squaredSpread, double kl, boolean agrees) {
    }

    private double squaredError;
    private double squaredSpread;
    private double kl;
    private int agreeing;
    private int positions;

    static Position position(float[] reference, float[] candidate) {
        int n = reference.length;
        double mean = 0;
        for (float r : reference) {
            mean += r;
        }
        mean /= n;
        double squaredError = 0, squaredSpread = 0;
        int bestReference = 0, bestCandidate = 0;
        float maxReference = Float.NEGATIVE_INFINITY, maxCandidate = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double d = (double) candidate[i] - reference[i];
            squaredError += d * d;
            double s = reference[i] - mean;
            squaredSpread += s * s;
            if (reference[i] > maxReference) {
                maxReference = reference[i];
                bestReference = i;
            }
            if (candidate[i] > maxCandidate) {
                maxCandidate = candidate[i];
                bestCandidate = i;
            }
        }
        // KL(P || Q) = sum p (log p - log q), log p = r - logZ(r): two exponentials per logit, from each maximum.
        double[] weights = new double[n];
        double sumReference = 0, sumCandidate = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.exp(reference[i] - maxReference);
            sumReference += weights[i];
            sumCandidate += Math.exp(candidate[i] - maxCandidate);
        }
        double shift = (maxCandidate + Math.log(sumCandidate)) - (maxReference + Math.log(sumReference));
        double divergence = 0;
        for (int i = 0; i < n; i++) {
            divergence += weights[i] * ((double) reference[i] - candidate[i] + shift);
        }
        return new Position(squaredError, squaredSpread, Math.max(0, divergence / sumReference),
                bestReference == bestCandidate);
    }

    void add(Position p) {
        squaredError += p.squaredError();
        squaredSpread += p.squaredSpread();
        kl += p.kl();
        agreeing += p.agrees() ? 1 : 0;
        positions++;
    }

    QualityReport report(String format, String reference) {
        return new QualityReport(format, reference, positions,
                squaredSpread == 0 ? 0 : Math.sqrt(squaredError / squaredSpread),
                positions == 0 ? 1 : (double) agreeing / positions, positions == 0 ? 0 : kl / positions, List.of());
    }
}
