package dev.allinone.engine.constraint;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A JSON schema as the constrained decoder reads it: only what decides which bytes may come next. Compiled from
 * JSON Schema by {@link SchemaCompiler}.
 */
sealed interface SchemaNode {

    /** A string of {@code [minLength, maxLength]} characters (Unicode code points, as JSON Schema counts them). */
    record Text(int minLength, int maxLength) implements SchemaNode {
    }

    /** A number, or an integer (no fraction, no exponent). */
    record Number(boolean integer) implements SchemaNode {
    }

    /** {@code true} or {@code false}. */
    record Bool() implements SchemaNode {
    }

    /** {@code null}. */
    record Null() implements SchemaNode {
    }

    /** One of fixed values ({@code enum}, {@code const}), each as its compact JSON bytes. */
    record Literals(List<byte[]> values) implements SchemaNode {
    }

    /**
     * An object: its named properties, written in this order (required ones always, optional ones may be left out),
     * then, if {@code additional} is not null, any other keys with values of that schema (a map, or any object).
     */
    record Obj(List<Property> properties, SchemaNode additional) implements SchemaNode {
    }

    /** A property: its key as written ({@code "name":}) and its value's schema. */
    record Property(String name, byte[] key, SchemaNode value, boolean required) {
        /** The property {@code name}, its key written as JSON writes the name (quoted, escaped), then a colon. */
        Property(String name, SchemaNode value, boolean required) {
            this(name, (JsonNodeFactory.instance.textNode(name) + ":").getBytes(StandardCharsets.UTF_8), value, required);
        }
    }

    /** An array of {@code [minItems, maxItems]} items. */
    record Arr(SchemaNode items, int minItems, int maxItems) implements SchemaNode {
    }

    /** Any of several schemas. */
    record AnyOf(List<SchemaNode> options) implements SchemaNode {
    }

    /** Any JSON value. */
    record Any() implements SchemaNode {
    }

    /** A reference to a definition, resolved once all are compiled (definitions may refer to themselves). */
    final class Ref implements SchemaNode {
        final String path;
        SchemaNode target;

        Ref(String path) {
            this.path = path;
        }

        @Override
        public String toString() {
            return "Ref[" + path + "]";
        }
    }
}
