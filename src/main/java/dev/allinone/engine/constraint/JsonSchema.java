package dev.allinone.engine.constraint;

/** A compiled JSON schema: where every constrained answer starts ({@link #start()}). Immutable, shareable. */
public final class JsonSchema {

    final SchemaNode root;
    private final Completions completions = new Completions();

    JsonSchema(SchemaNode root) {
        this.root = root;
    }

    /** The state before the first byte of the value. */
    public JsonMatcher start() {
        return JsonMatcher.start(this);
    }

    Completions completions() {
        return completions;
    }
}
