package dev.allinone.engine.constraint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The test schemas ({@code constraint/schemas.json}) and the judge of answers: a strict JSON parser (nothing
 * after the value) and networknt's JSON Schema validator, never the engine's own matcher.
 */
public final class JsonOracle {

    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    /** A named schema of the test set. */
    public record Case(String name, JsonNode schema) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static List<Case> cases() {
        try (InputStream in = JsonOracle.class.getResourceAsStream("/constraint/schemas.json")) {
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : STRICT.readTree(in)) {
                cases.add(new Case(c.get("name").asText(), c.get("schema")));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why {@code text} is not a valid value of {@code schema}; empty when it is. */
    public static List<String> problems(JsonNode schema, String text) {
        JsonNode value;
        try {
            value = STRICT.readTree(text);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        if (value == null) {
            return List.of("empty");
        }
        Schema validator = REGISTRY.getSchema(schema.toString());
        return validator.validate(value).stream().map(Error::toString).toList();
    }

    private JsonOracle() {
    }
}
