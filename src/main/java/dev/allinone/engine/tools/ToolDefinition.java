package dev.allinone.engine.tools;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool the model may call.
 *
 * @param name        what the model writes to call it
 * @param description what it does, for the model to decide when (may be null)
 * @param parameters  the JSON schema of its arguments: an object schema (null: no arguments)
 */
public record ToolDefinition(String name, String description, JsonNode parameters) {
}
