package dev.allinone.engine.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON response format whose answer is one of a fixed set of strings: what LangChain4j sends for an
 * enum (or boolean) return type, {@code {"value": <enum>}}, or a bare enum schema. Such a request needs no
 * generation: the engine scores every allowed answer and picks the most probable, with each one's probability.
 *
 * @param property the wrapping object's single property, or null when the schema is the bare enum
 * @param choices  the allowed answers
 * @param quoted   whether answers are JSON strings (enums) or literals (booleans)
 */
public record ChoiceFormat(String property, List<String> choices, boolean quoted) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The choice format of {@code format}; empty for plain text and for other JSON formats (those are generated
     * under the schema: see {@link ChatRequests#schema}).
     */
    static Optional<ChoiceFormat> of(ResponseFormat format) {
        if (format == null || format.type() != ResponseFormatType.JSON) {
            return Optional.empty();
        }
        if (format.jsonSchema() != null) {
            JsonSchemaElement root = format.jsonSchema().rootElement();
            Optional<ChoiceFormat> bare = choicesOf(null, root);
            if (bare.isPresent()) {
                return bare;
            }
            if (root instanceof JsonObjectSchema object && object.properties().size() == 1) {
                Map.Entry<String, JsonSchemaElement> only = object.properties().entrySet().iterator().next();
                Optional<ChoiceFormat> wrapped = choicesOf(only.getKey(), only.getValue());
                if (wrapped.isPresent()) {
                    return wrapped;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<ChoiceFormat> choicesOf(String property, JsonSchemaElement element) {
        if (element instanceof JsonEnumSchema e && !e.enumValues().isEmpty()) {
            return Optional.of(new ChoiceFormat(property, List.copyOf(e.enumValues()), true));
        }
        if (element instanceof JsonBooleanSchema) {
            return Optional.of(new ChoiceFormat(property, List.of("true", "false"), false));
        }
        return Optional.empty();
    }

    /** The JSON text of an answer, e.g. {@code {"value":"POSITIVE"}}. */
    String render(String choice) {
        try {
            String value = quoted ? JSON.writeValueAsString(choice) : choice;
            return property == null ? value : "{" + JSON.writeValueAsString(property) + ":" + value + "}";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
