package dev.allinone.engine.constraint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles JSON Schema (what LangChain4j sends for records, lists and tool parameters, and what OpenAI's
 * {@code response_format} carries) into a {@link SchemaNode}. Every keyword is either honoured or refused: a
 * keyword the decoder cannot guarantee ({@code pattern}, {@code minimum}, ...) fails with
 * {@link UnsupportedSchemaException} naming it, so no answer silently breaks the schema. Annotations
 * ({@code description}, {@code title}, ...) are read past.
 */
public final class SchemaCompiler {

    /** Most nodes a schema may have, and how deeply it may nest: a bound on the work per byte. */
    static final int MAX_NODES = 2_000;
    static final int MAX_NESTING = 24;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("description", "title", "$schema", "$id", "$comment",
            "examples", "default", "strict", "name");
    private static final Set<String> HONOURED = Set.of("type", "properties", "required", "additionalProperties",
            "items", "minItems", "maxItems", "enum", "const", "anyOf", "$ref", "$defs", "definitions", "minLength",
            "maxLength");

    private final JsonNode root;
    private final Map<String, SchemaNode.Ref> refs = new HashMap<>();
    private int nodes;

    private SchemaCompiler(JsonNode root) {
        this.root = root;
    }

    /** The schema of any JSON object ({@code response_format: json_object}). */
    public static JsonSchema anyObject() {
        return new JsonSchema(new SchemaNode.Obj(List.of(), new SchemaNode.Any()));
    }

    /** Compiles a JSON Schema document. */
    public static JsonSchema compile(JsonNode schema) {
        SchemaCompiler compiler = new SchemaCompiler(schema);
        SchemaNode node = compiler.node(schema, "", 0);
        compiler.resolve();
        JsonSchema compiled = new JsonSchema(node);
        if (!compiled.satisfiable()) {
            throw new UnsupportedSchemaException("No value satisfies the schema: it requires itself more than "
                    + JsonMatcher.MAX_DEPTH + " levels deep, or every option of a choice is impossible", "$ref");
        }
        return compiled;
    }

    /** Compiles a JSON Schema given as a map (as LangChain4j's {@code JsonSchemaElementUtils.toMap} gives it). */
    public static JsonSchema compile(Map<String, Object> schema) {
        return compile((JsonNode) JSON.valueToTree(schema));
    }

    private SchemaNode node(JsonNode schema, String at, int depth) {
        if (++nodes > MAX_NODES) {
            throw new UnsupportedSchemaException("The schema has more than " + MAX_NODES + " parts", null);
        }
        if (depth > MAX_NESTING) {
            throw new UnsupportedSchemaException("The schema nests more than " + MAX_NESTING + " levels deep", null);
        }
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                throw new UnsupportedSchemaException("The schema at " + path(at) + " is false: no value can match it", null);
            }
            return new SchemaNode.Any();
        }
        if (!schema.isObject()) {
            throw new UnsupportedSchemaException("The schema at " + path(at) + " is not an object", null);
        }
        for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
            String keyword = names.next();
            if (!HONOURED.contains(keyword) && !ANNOTATIONS.contains(keyword)) {
                throw new UnsupportedSchemaException("The keyword \"" + keyword + "\" (at " + path(at)
                        + ") cannot be guaranteed by this engine's decoder; remove it", keyword);
            }
        }
        if (schema.has("$ref")) {
            return ref(schema.get("$ref").asText(), at);
        }
        if (schema.has("const")) {
            return new SchemaNode.Literals(List.of(literal(schema.get("const"))));
        }
        if (schema.has("enum")) {
            JsonNode values = schema.get("enum");
            if (!values.isArray() || values.isEmpty()) {
                throw new UnsupportedSchemaException("\"enum\" at " + path(at) + " must list at least one value", "enum");
            }
            List<byte[]> literals = new ArrayList<>();
            Set<String> distinct = new HashSet<>();
            for (JsonNode value : values) {
                if (distinct.add(value.toString())) {
                    literals.add(literal(value));
                }
            }
            return new SchemaNode.Literals(literals);
        }
        if (schema.has("anyOf")) {
            JsonNode options = schema.get("anyOf");
            if (!options.isArray() || options.isEmpty()) {
                throw new UnsupportedSchemaException("\"anyOf\" at " + path(at) + " must list at least one schema", "anyOf");
            }
            if (schema.has("type")) {
                throw new UnsupportedSchemaException("\"anyOf\" beside \"type\" at " + path(at) + ": put the type in each option", "anyOf");
            }
            List<SchemaNode> alternatives = new ArrayList<>();
            for (int i = 0; i < options.size(); i++) {
                alternatives.add(node(options.get(i), at + "/anyOf/" + i, depth + 1));
            }
            return alternatives.size() == 1 ? alternatives.getFirst() : new SchemaNode.AnyOf(alternatives);
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            if (schema.has("properties")) {
                return object(schema, at, depth);
            }
            if (schema.has("items")) {
                return array(schema, at, depth);
            }
            return new SchemaNode.Any();
        }
        if (type.isArray()) {
            List<SchemaNode> alternatives = new ArrayList<>();
            for (JsonNode t : type) {
                alternatives.add(typed(t.asText(), schema, at, depth));
            }
            if (alternatives.isEmpty()) {
                throw new UnsupportedSchemaException("\"type\" at " + path(at) + " lists no type", "type");
            }
            return alternatives.size() == 1 ? alternatives.getFirst() : new SchemaNode.AnyOf(alternatives);
        }
        return typed(type.asText(), schema, at, depth);
    }

    private SchemaNode typed(String type, JsonNode schema, String at, int depth) {
        return switch (type) {
            case "string" -> {
                int min = count(schema, "minLength", 0, at);
                int max = count(schema, "maxLength", Integer.MAX_VALUE, at);
                if (min > max) {
                    throw new UnsupportedSchemaException("\"minLength\" above \"maxLength\" at " + path(at), "minLength");
                }
                yield new SchemaNode.Text(min, max);
            }
            case "integer" -> new SchemaNode.Number(true);
            case "number" -> new SchemaNode.Number(false);
            case "boolean" -> new SchemaNode.Bool();
            case "null" -> new SchemaNode.Null();
            case "object" -> object(schema, at, depth);
            case "array" -> array(schema, at, depth);
            default -> throw new UnsupportedSchemaException("Unknown type \"" + type + "\" at " + path(at), "type");
        };
    }

    private SchemaNode object(JsonNode schema, String at, int depth) {
        Set<String> required = new HashSet<>();
        JsonNode requiredNode = schema.path("required");
        for (JsonNode name : requiredNode) {
            required.add(name.asText());
        }
        List<SchemaNode.Property> properties = new ArrayList<>();
        JsonNode props = schema.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            SchemaNode value = node(p.getValue(), at + "/properties/" + p.getKey(), depth + 1);
            properties.add(new SchemaNode.Property(p.getKey(), value, required.remove(p.getKey())));
        }
        JsonNode additional = schema.get("additionalProperties");
        if (!required.isEmpty()) {
            throw new UnsupportedSchemaException("\"required\" at " + path(at) + " names " + required
                    + ", which \"properties\" does not define", "required");
        }
        SchemaNode extra = null;
        if (properties.isEmpty()) {
            // A map (or any object): keys of its own choosing, values of additionalProperties' schema.
            if (additional == null || additional.isBoolean() && additional.booleanValue()) {
                extra = new SchemaNode.Any();
            } else if (additional.isObject()) {
                extra = node(additional, at + "/additionalProperties", depth + 1);
            }
        } else if (additional != null && additional.isObject()) {
            // Only the named properties are written: valid whatever the schema of others would be.
            node(additional, at + "/additionalProperties", depth + 1);
        }
        return new SchemaNode.Obj(List.copyOf(properties), extra);
    }

    private SchemaNode array(JsonNode schema, String at, int depth) {
        JsonNode items = schema.get("items");
        if (items != null && items.isArray()) {
            throw new UnsupportedSchemaException("\"items\" as a list (tuples) at " + path(at) + " is not supported", "items");
        }
        SchemaNode item = items == null ? new SchemaNode.Any() : node(items, at + "/items", depth + 1);
        int min = count(schema, "minItems", 0, at);
        int max = count(schema, "maxItems", Integer.MAX_VALUE, at);
        if (min > max) {
            throw new UnsupportedSchemaException("\"minItems\" above \"maxItems\" at " + path(at), "minItems");
        }
        return new SchemaNode.Arr(item, min, max);
    }

    private static int count(JsonNode schema, String keyword, int absent, String at) {
        JsonNode value = schema.get(keyword);
        if (value == null) {
            return absent;
        }
        if (!value.canConvertToInt() || value.asInt() < 0 || !value.isIntegralNumber()) {
            throw new UnsupportedSchemaException("\"" + keyword + "\" at " + path(at) + " must be a count, not " + value, keyword);
        }
        return value.asInt();
    }

    private SchemaNode ref(String path, String at) {
        if (!path.startsWith("#/$defs/") && !path.startsWith("#/definitions/") && !path.equals("#")) {
            throw new UnsupportedSchemaException("\"$ref\" " + path + " at " + path(at)
                    + ": only references into the document's $defs or definitions are supported", "$ref");
        }
        return refs.computeIfAbsent(path, SchemaNode.Ref::new);
    }

    /** Compiles every referenced definition (each once, so a definition may refer to itself). */
    private void resolve() {
        Map<String, SchemaNode> done = new HashMap<>();
        boolean more = true;
        while (more) {
            more = false;
            for (SchemaNode.Ref ref : List.copyOf(refs.values())) {
                if (ref.target != null) {
                    continue;
                }
                JsonNode target = ref.path.equals("#") ? root : root.at(ref.path.substring(1));
                if (target.isMissingNode()) {
                    throw new UnsupportedSchemaException("\"$ref\" " + ref.path + " points to nothing", "$ref");
                }
                ref.target = done.computeIfAbsent(ref.path, p -> node(target, p.substring(1), 1));
                more = true;
            }
        }
    }

    private static byte[] literal(JsonNode value) {
        try {
            return JSON.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String path(String at) {
        return at.isEmpty() ? "the root" : at;
    }
}
