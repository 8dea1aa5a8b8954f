package dev.allinone.engine.tools;

import java.util.List;

/**
 * The tools of one turn and how the model may use them, as OpenAI's {@code tool_choice} says it.
 *
 * @param tools the tools the model is told of
 * @param mode  {@link Mode#NONE}: a text answer; {@link Mode#AUTO}: the model's choice of a text answer or one
 *              call; {@link Mode#REQUIRED}: one call
 * @param only  with {@code REQUIRED}, the one tool it must call (OpenAI's named function), or null for any
 */
public record ToolUse(List<ToolDefinition> tools, Mode mode, String only) {

    public enum Mode { NONE, AUTO, REQUIRED }

    public ToolUse {
        tools = List.copyOf(tools);
    }

    /** Whether the answer may be a call. */
    public boolean mayCall() {
        return mode != Mode.NONE && !tools.isEmpty();
    }
}
