package dev.allinone.engine.constraint;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled JSON schema: where every constrained answer starts ({@link #start()}). Immutable, shareable.
 *
 * <p>An answer may have to begin with fixed text before its value (a tool call's {@code <tool_call>} line: see
 * {@link #opened}), and may be one of several such forms ({@link #either}): a call, or a JSON answer.
 */
public final class JsonSchema {

    /** One form an answer may take: fixed text (possibly empty), then a value of {@code root}. */
    record Start(byte[] opening, SchemaNode root) {
    }

    final List<Start> starts;
    private final Completions completions = new Completions();

    JsonSchema(SchemaNode root) {
        this(List.of(new Start(new byte[0], root)));
    }

    private JsonSchema(List<Start> starts) {
        this.starts = List.copyOf(starts);
    }

    /** The state before the first byte of the answer. */
    public JsonMatcher start() {
        return JsonMatcher.start(this);
    }

    /** This schema's values, each written after {@code opening}. */
    public JsonSchema opened(String opening) {
        byte[] bytes = opening.getBytes(StandardCharsets.UTF_8);
        List<Start> opened = new ArrayList<>();
        for (Start s : starts) {
            byte[] both = new byte[bytes.length + s.opening().length];
            System.arraycopy(bytes, 0, both, 0, bytes.length);
            System.arraycopy(s.opening(), 0, both, bytes.length, s.opening().length);
            opened.add(new Start(both, s.root()));
        }
        return new JsonSchema(opened);
    }

    /** The fixed text every answer begins with (empty if the forms begin differently, or with a value). */
    public byte[] opening() {
        byte[] common = starts.getFirst().opening();
        for (Start s : starts) {
            if (!Arrays.equals(s.opening(), common)) {
                return new byte[0];
            }
        }
        return common.clone();
    }

    /** The fixed texts answers begin with, one per form that has one (in UTF-8: forms open on whole characters). */
    public List<String> openings() {
        return starts.stream().filter(s -> s.opening().length > 0)
                .map(s -> new String(s.opening(), StandardCharsets.UTF_8)).distinct().toList();
    }

    /** An answer of either schema. */
    public static JsonSchema either(JsonSchema a, JsonSchema b) {
        List<Start> both = new ArrayList<>(a.starts);
        both.addAll(b.starts);
        return new JsonSchema(both);
    }

    /** A string that is exactly {@code value}. */
    public static JsonSchema constant(String value) {
        return SchemaCompiler.compile(Map.of("const", value));
    }

    /**
     * An object with exactly these properties, all required, written in this order. Each value keeps its own
     * schema (its {@code $ref}s resolved within its own document); openings are not carried over.
     */
    public static JsonSchema object(LinkedHashMap<String, JsonSchema> properties) {
        List<SchemaNode.Property> list = new ArrayList<>();
        for (Map.Entry<String, JsonSchema> p : properties.entrySet()) {
            list.add(new SchemaNode.Property(p.getKey(), p.getValue().root(), true));
        }
        return new JsonSchema(new SchemaNode.Obj(List.copyOf(list), null));
    }

    /** A value of any of these schemas. */
    public static JsonSchema anyOf(List<JsonSchema> options) {
        if (options.size() == 1) {
            return options.getFirst();
        }
        return new JsonSchema(new SchemaNode.AnyOf(options.stream().map(JsonSchema::root).toList()));
    }

    /** Whether this schema's values are JSON objects. */
    public boolean isObject() {
        return starts.stream().allMatch(s -> object(s.root(), 0));
    }

    private static boolean object(SchemaNode node, int depth) {
        return switch (node) {
            case SchemaNode.Obj o -> true;
            case SchemaNode.Ref r -> depth < JsonMatcher.MAX_DEPTH && r.target != null && object(r.target, depth + 1);
            case SchemaNode.AnyOf any -> any.options().stream().allMatch(o -> object(o, depth + 1));
            default -> false;
        };
    }

    private SchemaNode root() {
        if (starts.size() != 1 || starts.getFirst().opening().length > 0) {
            throw new IllegalStateException("Only a plain schema can be part of another");
        }
        return starts.getFirst().root();
    }

    /** Whether some value of the schema exists within the recursion bound. */
    boolean satisfiable() {
        return starts.stream().anyMatch(s -> completions.shortest(s.root(), 0) != null);
    }

    Completions completions() {
        return completions;
    }
}
