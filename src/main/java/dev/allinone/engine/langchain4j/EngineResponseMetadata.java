package dev.allinone.engine.langchain4j;

import dev.allinone.engine.api.Timings;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;

import java.util.Map;
import java.util.Objects;

/**
 * Response metadata with what this engine knows beyond the standard fields: for a choice among fixed answers
 * (an enum-typed {@code @AiService} method), every answer's probability; and where the time went.
 */
public class EngineResponseMetadata extends ChatResponseMetadata {

    private final Map<String, Double> choiceProbabilities;
    private final int cachedTokens;
    private final Timings timings;

    private EngineResponseMetadata(Builder builder) {
        super(builder);
        this.choiceProbabilities = builder.choiceProbabilities == null ? Map.of() : builder.choiceProbabilities;
        this.cachedTokens = builder.cachedTokens;
        this.timings = builder.timings;
    }

    /** Prompt tokens whose attention state was reused from an earlier request instead of computed. */
    public int cachedTokens() {
        return cachedTokens;
    }

    /** Each allowed answer's probability, in schema order; empty unless the request was a choice. */
    public Map<String, Double> choiceProbabilities() {
        return choiceProbabilities;
    }

    public Timings timings() {
        return timings;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof EngineResponseMetadata that
                && choiceProbabilities.equals(that.choiceProbabilities) && cachedTokens == that.cachedTokens
                && Objects.equals(timings, that.timings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), choiceProbabilities, cachedTokens, timings);
    }

    @Override
    public String toString() {
        return "EngineResponseMetadata{" + super.toString() + ", choiceProbabilities=" + choiceProbabilities
                + ", cachedTokens=" + cachedTokens + ", timings=" + timings + '}';
    }

    public static class Builder extends ChatResponseMetadata.Builder<Builder> {
        private Map<String, Double> choiceProbabilities;
        private int cachedTokens;
        private Timings timings;

        public Builder cachedTokens(int cachedTokens) {
            this.cachedTokens = cachedTokens;
            return this;
        }

        public Builder choiceProbabilities(Map<String, Double> probabilities) {
            this.choiceProbabilities = probabilities;
            return this;
        }

        public Builder timings(Timings timings) {
            this.timings = timings;
            return this;
        }

        @Override
        public EngineResponseMetadata build() {
            return new EngineResponseMetadata(this);
        }
    }
}
