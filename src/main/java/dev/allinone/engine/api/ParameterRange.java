package dev.allinone.engine.api;

/**
 * The ranges of the sampling parameters (OpenAI's, which LangChain4j's follow), checked where a request comes in,
 * so that the error names the parameter in the caller's own terms ({@code topP} for LangChain4j, {@code top_p} on
 * the OpenAI-compatible API).
 */
public enum ParameterRange {

    TEMPERATURE(0, 2, true),
    /** Above 0: top-p 0 would allow no token at all. */
    TOP_P(0, 1, false),
    PENALTY(-2, 2, true);

    private final double min;
    private final double max;
    private final boolean minIncluded;

    ParameterRange(double min, double max, boolean minIncluded) {
        this.min = min;
        this.max = max;
        this.minIncluded = minIncluded;
    }

    /** @throws InvalidRequestException naming {@code name} when {@code value} is out of range (or NaN) */
    public void check(Double value, String name) {
        if (value == null) {
            return;
        }
        boolean aboveMin = minIncluded ? value >= min : value > min;
        if (!(aboveMin && value <= max)) {
            throw new InvalidRequestException(name + " must be " + (minIncluded ? "between " + number(min) + " and "
                    + number(max) : "greater than " + number(min) + " and at most " + number(max)) + ", not " + value, name);
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
