package dev.allinone.web.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import org.springframework.http.converter.HttpMessageNotReadableException;

import java.util.stream.Collectors;

/**
 * Why a request body could not be read, in words that name what to fix: the field and what it must be
 * ({@code max_tokens: 1e12} is not an integer this API takes), the byte that is not UTF-8, the place where the
 * JSON stops being JSON. Jackson's own messages name Java types and classes; these do not.
 */
public final class UnreadableBodies {

    /** What to tell the client: the detail, and the field at fault (null for the body as a whole). */
    record Reason(String detail, String param) {
    }

    private UnreadableBodies() {
    }

    static Reason of(HttpMessageNotReadableException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MalformedBodyException malformed) {
                return new Reason(malformed.getMessage(), null);
            }
            if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
                return field(mapping);
            }
            if (cause instanceof JsonParseException parse) {
                return new Reason("The request body is not valid JSON: " + parse.getOriginalMessage()
                        + location(parse), null);
            }
            if (cause instanceof MismatchedInputException mismatch) {
                return new Reason(mismatch.getOriginalMessage().startsWith("No content")
                        ? "The request body is missing: send a JSON object"
                        : "The request body must be a JSON object" + location(mismatch), null);
            }
        }
        return new Reason("The request body is missing or is not valid JSON of the expected shape.", null);
    }

    private static Reason field(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        Class<?> target = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType()
                : e.getCause() instanceof InputCoercionException coercion ? coercion.getTargetType() : null;
        Object value = e instanceof InvalidFormatException invalid ? invalid.getValue() : null;
        String got = value != null ? " (got " + shortValue(value) + ")"
                : e.getCause() instanceof InputCoercionException ? " (the number is out of range)" : "";
        return new Reason("Field '" + path + "' must be " + expected(target) + got + location(e), path);
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer" + (type == Integer.class || type == int.class ? " up to 2147483647" : "");
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String shortValue(Object value) {
        String text = String.valueOf(value);
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

}
