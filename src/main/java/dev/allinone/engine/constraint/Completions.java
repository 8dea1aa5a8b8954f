package dev.allinone.engine.constraint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The shortest JSON value of a schema node (required properties filled with their own shortest values, arrays
 * with their fewest items): how an answer is closed when its token budget runs out. Null where none exists
 * within the recursion bound. Remembered per node and depth.
 */
final class Completions {

    private static final byte[] NONE = new byte[0];
    private final Map<SchemaNode, byte[]>[] known;

    @SuppressWarnings("unchecked")
    Completions() {
        known = new Map[JsonMatcher.MAX_DEPTH + 1];
        for (int i = 0; i < known.length; i++) {
            known[i] = new IdentityHashMap<>();
        }
    }

    synchronized byte[] shortest(SchemaNode node, int depth) {
        depth = Math.min(depth, JsonMatcher.MAX_DEPTH); // past it, only values that need no reference
        byte[] cached = known[depth].get(node);
        if (cached != null) {
            return cached == NONE ? null : cached;
        }
        known[depth].put(node, NONE); // a node met again while computing itself has no finite value this way
        byte[] value = compute(node, depth);
        known[depth].put(node, value == null ? NONE : value);
        return value;
    }

    private byte[] compute(SchemaNode node, int depth) {
        return switch (node) {
            case SchemaNode.Text t -> ("\"" + "a".repeat(t.minLength()) + "\"").getBytes(StandardCharsets.UTF_8);
            case SchemaNode.Number n -> bytes("0");
            case SchemaNode.Bool b -> bytes("true");
            case SchemaNode.Null n -> bytes("null");
            case SchemaNode.Any a -> bytes("0");
            case SchemaNode.Literals l -> {
                byte[] best = null;
                for (byte[] value : l.values()) {
                    best = best == null || value.length < best.length ? value : best;
                }
                yield best;
            }
            case SchemaNode.AnyOf any -> {
                byte[] best = null;
                for (SchemaNode option : any.options()) {
                    byte[] value = shortest(option, depth);
                    best = value != null && (best == null || value.length < best.length) ? value : best;
                }
                yield best;
            }
            case SchemaNode.Ref ref -> depth < JsonMatcher.MAX_DEPTH ? shortest(ref.target, depth + 1) : null;
            case SchemaNode.Obj o -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write('{');
                yield members(o, 0, true, depth, out) ? out.toByteArray() : null;
            }
            case SchemaNode.Arr a -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write('[');
                yield items(a, 0, depth, out) ? out.toByteArray() : null;
            }
        };
    }

    /** Writes the shortest rest of an object from property {@code next} on, and its closing brace. */
    boolean members(SchemaNode.Obj o, int next, boolean first, int depth, ByteArrayOutputStream out) {
        for (int j = next; j < o.properties().size(); j++) {
            SchemaNode.Property p = o.properties().get(j);
            if (p.required()) {
                byte[] value = shortest(p.value(), depth);
                if (value == null) {
                    return false;
                }
                if (!first) {
                    out.write(',');
                }
                out.writeBytes(p.key());
                out.writeBytes(value);
                first = false;
            }
        }
        out.write('}');
        return true;
    }

    /** Writes the shortest rest of an array holding {@code count} items, and its closing bracket. */
    boolean items(SchemaNode.Arr a, int count, int depth, ByteArrayOutputStream out) {
        if (count < a.minItems()) {
            byte[] item = shortest(a.items(), depth);
            if (item == null) {
                return false;
            }
            for (int i = count; i < a.minItems(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.writeBytes(item);
            }
        }
        out.write(']');
        return true;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
