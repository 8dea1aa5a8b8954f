package dev.allinone.engine.api;

/**
 * How the next token is picked. Temperature 0 is greedy (always the most probable token, deterministic);
 * {@code topK <= 0} and {@code topP >= 1} turn those filters off. The repetition penalty is Hugging Face's
 * (prompt and answer tokens, 1 = off); frequency and presence penalties are OpenAI's (answer tokens, 0 = off).
 */
public record SamplingSettings(double temperature, double topP, int topK, double repetitionPenalty,
                               double frequencyPenalty, double presencePenalty) {

    public static final SamplingSettings GREEDY = new SamplingSettings(0, 1, 0, 1, 0, 0);

    public SamplingSettings {
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, was " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetitionPenalty must be > 0, was " + repetitionPenalty);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
