package dev.allinone.engine.constraint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a JSON value being written stands, byte by byte: every way the bytes so far can go on to a value of the
 * schema (several under {@code anyOf}). Immutable: {@link #feed} returns the next state, or null when the byte
 * cannot come next. Compact JSON only: no whitespace between tokens, properties in the schema's order.
 *
 * <p>A way to go on is a stack of frames, innermost first: a literal being written, a string, a number, an
 * object's or an array's members, a value not begun. A frame that is done pops itself, handing the stack below
 * to the next byte; a number may end at any digit, so a byte it cannot take is offered to the frame below.
 */
public final class JsonMatcher {

    /** How deeply {@code $ref}s and free-form values may nest: recursion in a schema stays finite. */
    static final int MAX_DEPTH = 8;
    /**
     * Most ways to go on kept at once (overlapping {@code anyOf} options); beyond, the later ones are dropped: the
     * answer stays valid, it only has fewer ways to go on.
     */
    static final int MAX_WAYS = 64;
    /**
     * Most digits of a number: a double's precision; an integer's, so that it fits a Java {@code int} (LangChain4j
     * maps {@code int} and {@code long} alike to {@code integer}, and a longer one failed to parse as an int).
     */
    private static final int MAX_DIGITS = 16, MAX_INTEGER_DIGITS = 9;

    private final JsonSchema schema;
    private final List<Stack> ways;

    private JsonMatcher(JsonSchema schema, List<Stack> ways) {
        this.schema = schema;
        this.ways = ways;
    }

    static JsonMatcher start(JsonSchema schema) {
        List<Stack> ways = new ArrayList<>();
        for (JsonSchema.Start s : schema.starts) {
            Stack value = new Stack(new Value(s.root(), 0), null);
            ways.add(s.opening().length == 0 ? value : new Stack(new Literal(s.opening(), 0), value));
        }
        return new JsonMatcher(schema, List.copyOf(ways));
    }

    /** The state after {@code b} (0–255), or null if {@code b} cannot come next. */
    public JsonMatcher feed(int b) {
        List<Stack> next = new ArrayList<>(ways.size());
        for (Stack way : ways) {
            feed(way, b, next);
            if (next.size() >= MAX_WAYS) {
                break;
            }
        }
        return next.isEmpty() ? null : new JsonMatcher(schema, next); // a null way: the value is complete
    }

    /** The state after {@code bytes}, or null if they cannot come next. */
    public JsonMatcher feed(byte[] bytes) {
        JsonMatcher m = this;
        for (int i = 0; i < bytes.length && m != null; i++) {
            m = m.feed(bytes[i] & 0xFF);
        }
        return m;
    }

    /** Whether the bytes so far are a whole value of the schema. */
    public boolean complete() {
        for (Stack way : ways) {
            if (done(way)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the value is complete and no byte can follow. */
    public boolean finished() {
        for (Stack way : ways) {
            if (way != null) {
                return false;
            }
        }
        return true;
    }

    /** The shortest bytes that complete the value from here (empty when it is complete). */
    public byte[] completion() {
        byte[] best = null;
        for (Stack way : ways) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean possible = true;
            for (Stack s = way; s != null && possible; s = s.below()) {
                if (done(s)) {
                    break;
                }
                possible = s.top().complete(schema.completions(), out);
            }
            if (possible && (best == null || out.size() < best.length)) {
                best = out.toByteArray();
            }
        }
        return best == null ? new byte[0] : best;
    }

    /** The innermost frame of the only way on, when there is one way: what the token mask's fast paths look at. */
    Frame onlyTop() {
        return ways.size() == 1 && ways.getFirst() != null ? ways.getFirst().top() : null;
    }

    @Override
    public String toString() {
        return ways.toString();
    }

    private static boolean done(Stack s) {
        for (; s != null; s = s.below()) {
            if (!s.top().mayEnd()) {
                return false;
            }
        }
        return true;
    }

    private static void feed(Stack s, int b, List<Stack> out) {
        if (s == null) {
            return;
        }
        s.top().feed(b, s.below(), out);
        if (s.top().mayEnd()) {
            feed(s.below(), b, out);
        }
    }

    /** What the rest of the value still expects, innermost first. */
    record Stack(Frame top, Stack below) {
    }

    sealed interface Frame permits Literal, Value, Chars, Num, Members, Items {
        /** Adds to {@code out} every way on after {@code b}; {@code below} is the stack under this frame. */
        void feed(int b, Stack below, List<Stack> out);

        /** Whether the frame may end before another byte. */
        default boolean mayEnd() {
            return false;
        }

        /** Writes the shortest bytes that end this frame; false if there are none within the bounds. */
        boolean complete(Completions completions, ByteArrayOutputStream out);
    }

    private static final byte[] TRUE = ascii("true"), FALSE = ascii("false"), NULL = ascii("null");
    private static final byte[] COLON = ascii(":"), QUOTE = ascii("\"");
    private static final SchemaNode.Text ANY_TEXT = new SchemaNode.Text(0, Integer.MAX_VALUE);
    private static final List<SchemaNode> ANY_VALUE = List.of(new SchemaNode.Obj(List.of(), new SchemaNode.Any()),
            new SchemaNode.Arr(new SchemaNode.Any(), 0, Integer.MAX_VALUE), ANY_TEXT, new SchemaNode.Number(false),
            new SchemaNode.Bool(), new SchemaNode.Null());

    /** Bytes of a fixed text (a key, punctuation, an enum value), {@code at} of them written. */
    record Literal(byte[] bytes, int at) implements Frame {
        @Override
        public void feed(int b, Stack below, List<Stack> out) {
            if ((bytes[at] & 0xFF) == b) {
                out.add(at + 1 == bytes.length ? below : new Stack(new Literal(bytes, at + 1), below));
            }
        }

        @Override
        public boolean complete(Completions completions, ByteArrayOutputStream out) {
            out.write(bytes, at, bytes.length - at);
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Literal l && l.bytes == bytes && l.at == at;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(bytes) * 31 + at;
        }

        @Override
        public String toString() {
            return "Literal[" + new String(bytes, at, bytes.length - at, StandardCharsets.UTF_8) + "]";
        }
    }

    /** A value of {@code node} not begun; {@code depth}: references and free-form values entered so far. */
    record Value(SchemaNode node, int depth) implements Frame {
        @Override
        public void feed(int b, Stack below, List<Stack> out) {
            switch (node) {
                case SchemaNode.Text t -> {
                    if (b == '"') {
                        out.add(new Stack(new Chars(t, 0, 0, 0, 0, 0), below));
                    }
                }
                case SchemaNode.Number n -> {
                    if (b == '-') {
                        out.add(new Stack(new Num(n.integer(), Num.SIGN, 0), below));
                    } else if (b == '0') {
                        out.add(new Stack(new Num(n.integer(), Num.ZERO, 1), below));
                    } else if (b >= '1' && b <= '9') {
                        out.add(new Stack(new Num(n.integer(), Num.INT, 1), below));
                    }
                }
                case SchemaNode.Bool bool -> {
                    new Literal(TRUE, 0).feed(b, below, out);
                    new Literal(FALSE, 0).feed(b, below, out);
                }
                case SchemaNode.Null nul -> new Literal(NULL, 0).feed(b, below, out);
                case SchemaNode.Literals l -> {
                    for (byte[] value : l.values()) {
                        new Literal(value, 0).feed(b, below, out);
                    }
                }
                case SchemaNode.Obj o -> {
                    if (b == '{') {
                        out.add(new Stack(new Members(o, 0, true, depth), below));
                    }
                }
                case SchemaNode.Arr a -> {
                    if (b == '[') {
                        out.add(new Stack(new Items(a, 0, depth), below));
                    }
                }
                case SchemaNode.AnyOf any -> {
                    for (SchemaNode option : any.options()) {
                        new Value(option, depth).feed(b, below, out);
                    }
                }
                case SchemaNode.Ref ref -> {
                    if (depth < MAX_DEPTH) {
                        new Value(ref.target, depth + 1).feed(b, below, out);
                    }
                }
                case SchemaNode.Any any -> {
                    for (SchemaNode option : ANY_VALUE) {
                        boolean nests = option instanceof SchemaNode.Obj || option instanceof SchemaNode.Arr;
                        if (!nests || depth < MAX_DEPTH) {
                            new Value(option, depth + 1).feed(b, below, out);
                        }
                    }
                }
            }
        }

        @Override
        public boolean complete(Completions completions, ByteArrayOutputStream out) {
            byte[] value = completions.shortest(node, depth);
            if (value == null) {
                return false;
            }
            out.writeBytes(value);
            return true;
        }
    }

    /**
     * Inside a string: {@code chars} characters so far; {@code need} more UTF-8 continuation bytes, the next in
     * {@code [lo, hi]} (the ranges that exclude overlong forms and surrogates); {@code escape}: 0 none, 1 after a
     * backslash, 2–5 the hex digits of a {@code \}{@code u} escape, 6 its second digit after a {@code d}.
     */
    record Chars(SchemaNode.Text text, int chars, int need, int lo, int hi, int escape) implements Frame {
        @Override
        public void feed(int b, Stack below, List<Stack> out) {
            Chars next = next(b);
            if (next == this) {
                out.add(below);
            } else if (next != null) {
                out.add(new Stack(next, below));
            }
        }

        /** Inside a string of any length, nothing written yet. */
        static Chars freeText() {
            return new Chars(ANY_TEXT, 0, 0, 0, 0, 0);
        }

        /** The frame after {@code b}; {@code this} when {@code b} closes the string; null when it cannot come. */
        Chars next(int b) {
            if (need > 0) {
                return b >= lo && b <= hi ? new Chars(text, chars, need - 1, 0x80, 0xBF, 0) : null;
            }
            if (escape == 1) {
                return switch (b) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> new Chars(text, chars, 0, 0, 0, 0);
                    case 'u' -> new Chars(text, chars, 0, 0, 0, 2);
                    default -> null;
                };
            }
            if (escape >= 2) {
                boolean hex = b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F';
                if (!hex || escape == 6 && !(b >= '0' && b <= '7')) {
                    return null; // 6: escapes of D800–DFFF would be half of a surrogate pair
                }
                int after = escape == 2 && (b == 'd' || b == 'D') ? 6 : escape == 6 ? 4 : escape == 5 ? 0 : escape + 1;
                return new Chars(text, chars, 0, 0, 0, after);
            }
            if (b == '"') {
                return chars >= text.minLength() ? this : null;
            }
            if (b < 0x20 || chars >= text.maxLength()) {
                return null;
            }
            if (b == '\\') {
                return new Chars(text, chars + 1, 0, 0, 0, 1);
            }
            if (b < 0x80) {
                return new Chars(text, chars + 1, 0, 0, 0, 0);
            }
            if (b >= 0xC2 && b <= 0xDF) {
                return new Chars(text, chars + 1, 1, 0x80, 0xBF, 0);
            }
            if (b >= 0xE0 && b <= 0xEF) {
                return new Chars(text, chars + 1, 2, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF, 0);
            }
            if (b >= 0xF0 && b <= 0xF4) {
                return new Chars(text, chars + 1, 3, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF, 0);
            }
            return null;
        }

        /** Free text: no escape or character under way, and no length limit in sight. */
        boolean free(int room) {
            return need == 0 && escape == 0 && text.maxLength() - chars >= room;
        }

        @Override
        public boolean complete(Completions completions, ByteArrayOutputStream out) {
            if (need > 0) {
                out.write(lo);
                for (int i = 1; i < need; i++) {
                    out.write(0x80);
                }
            }
            if (escape == 1) {
                out.write('n');
            } else if (escape >= 2) {
                int digits = escape == 6 ? 3 : 6 - escape;
                for (int i = 0; i < digits; i++) {
                    out.write('0');
                }
            }
            for (int i = chars; i < text.minLength(); i++) {
                out.write('a');
            }
            out.write('"');
            return true;
        }
    }

    /** A number being written: its phase, and how many digits so far (bounded: no endless numbers). */
    record Num(boolean integer, int phase, int digits) implements Frame {
        static final int SIGN = 0, ZERO = 1, INT = 2, DOT = 3, FRACTION = 4, E = 5, E_SIGN = 6, EXPONENT = 7;

        @Override
        public void feed(int b, Stack below, List<Stack> out) {
            boolean digit = b >= '0' && b <= '9';
            Num next = switch (phase) {
                case SIGN -> b == '0' ? new Num(integer, ZERO, 1) : digit ? new Num(integer, INT, 1) : null;
                case ZERO -> fractionOrExponent(b);
                case INT -> digit && digits < (integer ? MAX_INTEGER_DIGITS : MAX_DIGITS) ? new Num(integer, INT, digits + 1)
                        : fractionOrExponent(b);
                case DOT -> digit ? new Num(integer, FRACTION, digits + 1) : null;
                case FRACTION -> digit && digits < MAX_DIGITS ? new Num(integer, FRACTION, digits + 1)
                        : b == 'e' || b == 'E' ? new Num(integer, E, digits) : null;
                case E -> b == '+' || b == '-' ? new Num(integer, E_SIGN, 0) : digit ? new Num(integer, EXPONENT, 1) : null;
                case E_SIGN -> digit ? new Num(integer, EXPONENT, 1) : null;
                case EXPONENT -> digit && digits < 2 ? new Num(integer, EXPONENT, digits + 1) : null;
                default -> null;
            };
            if (next != null) {
                out.add(new Stack(next, below));
            }
        }

        private Num fractionOrExponent(int b) {
            if (integer) {
                return null;
            }
            return b == '.' ? new Num(false, DOT, digits) : b == 'e' || b == 'E' ? new Num(false, E, digits) : null;
        }

        @Override
        public boolean mayEnd() {
            return phase == ZERO || phase == INT || phase == FRACTION || phase == EXPONENT;
        }

        @Override
        public boolean complete(Completions completions, ByteArrayOutputStream out) {
            if (!mayEnd()) {
                out.write('0');
            }
            return true;
        }
    }

    /**
     * An object after its opening brace or after a member: its named properties from {@code next} on may follow
     * (optional ones may be skipped, a required one may not), or, for a map, any key; then the closing brace.
     */
    record Members(SchemaNode.Obj object, int next, boolean first, int depth) implements Frame {
        @Override
        public void feed(int b, Stack below, List<Stack> out) {
            if (object.additional() != null) {
                if (b == '}') {
                    out.add(below);
                }
                Stack rest = new Stack(new Chars(ANY_TEXT, 0, 0, 0, 0, 0), new Stack(new Literal(COLON, 0),
                        new Stack(new Value(object.additional(), depth), new Stack(new Members(object, 0, false, depth), below))));
                if (first && b == '"') {
                    out.add(rest);
                } else if (!first && b == ',') {
                    out.add(new Stack(new Literal(QUOTE, 0), rest));
                }
                return;
            }
            List<SchemaNode.Property> properties = object.properties();
            boolean requiredLeft = false;
            for (int j = next; j < properties.size(); j++) {
                SchemaNode.Property p = properties.get(j);
                int expected = first ? p.key()[0] & 0xFF : ',';
                if (b == expected) {
                    Stack after = new Stack(new Value(p.value(), depth), new Stack(new Members(object, j + 1, false, depth), below));
                    out.add(first ? (p.key().length == 1 ? after : new Stack(new Literal(p.key(), 1), after))
                            : new Stack(new Literal(p.key(), 0), after));
                }
                if (p.required()) {
                    requiredLeft = true;
                    break;
                }
            }
            if (b == '}' && !requiredLeft) {
                out.add(below);
            }
        }

        @Override
        public boolean complete(Completions completions, ByteArrayOutputStream out) {
            if (object.additional() != null) {
                out.write('}');
                return true;
            }
            return completions.members(object, next, first, depth, out);
        }
    }

    /** An array after its opening bracket ({@code count} 0) or after its {@code count}th item. */
    record Items(SchemaNode.Arr array, int count, int depth) implements Frame {
        @Override
        public void feed(int b, Stack below, List<Stack> out) {
            if (b == ']' && count >= array.minItems()) {
                out.add(below);
            }
            if (count < array.maxItems()) {
                Stack after = new Stack(new Items(array, count + 1, depth), below);
                if (count == 0) {
                    new Value(array.items(), depth).feed(b, after, out);
                } else if (b == ',') {
                    out.add(new Stack(new Value(array.items(), depth), after));
                }
            }
        }

        @Override
        public boolean complete(Completions completions, ByteArrayOutputStream out) {
            return completions.items(array, count, depth, out);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

}
