package dev.allinone.engine.tools;

/**
 * A call the model made (or made in an earlier turn).
 *
 * @param name      the tool's name
 * @param arguments the arguments, a JSON object as text
 */
public record ToolCall(String name, String arguments) {
}
