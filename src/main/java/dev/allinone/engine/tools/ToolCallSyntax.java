package dev.allinone.engine.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.constraint.JsonSchema;
import dev.allinone.engine.constraint.SchemaCompiler;
import dev.allinone.engine.constraint.UnsupportedSchemaException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How tools appear in the chat template. Qwen1.5's template has no tool syntax, so this is the one its family
 * adopted later (Qwen2.5's, Hermes-style), written with the template's own roles:
 * <ul>
 * <li>the tools, as OpenAI function signatures inside {@code <tools></tools>}, with the instructions, appended to
 * the system message (or to the template's default one);</li>
 * <li>a call, in the assistant's turn: {@code <tool_call>\n{"name":...,"arguments":{...}}\n</tool_call>};</li>
 * <li>results, in a user turn: each inside {@code <tool_response>\n...\n</tool_response>}.</li>
 * </ul>
 * The model calls at most one tool per turn, at the start of its turn: the decoder holds the call to the tools'
 * names and parameter schemas ({@link #callSchema}).
 */
public final class ToolCallSyntax {

    /** What a call begins with; the JSON follows directly. */
    public static final String OPENING = "<tool_call>\n";
    static final String CLOSING = "\n</tool_call>";
    /** The system message of Qwen1.5's template when a conversation has none. */
    static final String DEFAULT_SYSTEM = "You are a helpful assistant";
    /** Most tools of one request: each is one way the decoder follows at once while the call's name is open. */
    public static final int MAX_TOOLS = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolCallSyntax() {
    }

    /** The system message with the tools appended ({@code system} null: the template's default one). */
    public static String system(String system, List<ToolDefinition> tools) {
        StringBuilder text = new StringBuilder(system == null ? DEFAULT_SYSTEM : system);
        text.append("\n\n# Tools\n\nYou may call one of the following functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        for (ToolDefinition tool : tools) {
            ObjectNode function = JSON.createObjectNode();
            function.put("name", tool.name());
            if (tool.description() != null && !tool.description().isBlank()) {
                function.put("description", tool.description());
            }
            function.set("parameters", tool.parameters() == null ? JSON.createObjectNode().put("type", "object")
                    : tool.parameters());
            ObjectNode signature = JSON.createObjectNode().put("type", "function");
            signature.set("function", function);
            text.append('\n').append(signature);
        }
        text.append("\n</tools>\n\nTo call a function, return a json object with the function name and arguments "
                + "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
                + "{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return text.toString();
    }

    /** An assistant turn: its text (if any), then each call. */
    public static String assistant(String text, List<ToolCall> calls) {
        StringBuilder turn = new StringBuilder(text == null ? "" : text);
        for (ToolCall call : calls) {
            if (!turn.isEmpty()) {
                turn.append('\n');
            }
            turn.append(OPENING).append("{\"name\":").append(JSON.getNodeFactory().textNode(call.name()))
                    .append(",\"arguments\":").append(compact(call.arguments())).append('}').append(CLOSING);
        }
        return turn.toString();
    }

    /** A user turn holding tool results, in the order the calls were made. */
    public static String results(List<String> results) {
        StringBuilder turn = new StringBuilder();
        for (String result : results) {
            if (!turn.isEmpty()) {
                turn.append('\n');
            }
            turn.append("<tool_response>\n").append(result).append("\n</tool_response>");
        }
        return turn.toString();
    }

    /** The call an answer makes, if it is one (a call the decoder held: it parses). */
    public static Optional<ToolCall> parse(String answer) {
        if (!answer.startsWith(OPENING)) {
            return Optional.empty();
        }
        String json = answer.substring(OPENING.length());
        if (json.endsWith(CLOSING)) {
            json = json.substring(0, json.length() - CLOSING.length());
        }
        try {
            JsonNode call = JSON.readTree(json);
            if (call == null || !call.path("name").isTextual() || !call.path("arguments").isObject()) {
                return Optional.empty();
            }
            return Optional.of(new ToolCall(call.get("name").asText(), call.get("arguments").toString()));
        } catch (JsonProcessingException e) {
            return Optional.empty(); // free text that happens to begin like a call
        }
    }

    /**
     * What a call may be: {@link #OPENING}, then an object naming one of the tools ({@code only}, when set) with
     * arguments of that tool's schema. Refuses a tool whose parameters are not an object schema, or cannot be
     * satisfied, or that the decoder cannot guarantee, naming the tool.
     */
    public static JsonSchema callSchema(ToolUse use) {
        check(use);
        List<JsonSchema> calls = new ArrayList<>();
        for (ToolDefinition tool : use.tools()) {
            if (use.only() == null || use.only().equals(tool.name())) {
                LinkedHashMap<String, JsonSchema> call = new LinkedHashMap<>();
                call.put("name", JsonSchema.constant(tool.name()));
                call.put("arguments", arguments(tool));
                calls.add(JsonSchema.object(call));
            }
        }
        if (calls.isEmpty()) {
            throw new InvalidRequestException("tool_choice names the function '" + use.only()
                    + "', which is not among the tools", "tool_choice");
        }
        return JsonSchema.anyOf(calls).opened(OPENING);
    }

    /** Refuses tools without names, with a name twice, or too many of them. */
    public static void check(ToolUse use) {
        if (use.tools().size() > MAX_TOOLS) {
            throw new InvalidRequestException("At most " + MAX_TOOLS + " tools per request, not "
                    + use.tools().size(), "tools");
        }
        Set<String> names = new HashSet<>();
        for (ToolDefinition tool : use.tools()) {
            if (tool.name() == null || tool.name().isBlank()) {
                throw new InvalidRequestException("Every tool needs a name", "tools");
            }
            if (!names.add(tool.name())) {
                throw new InvalidRequestException("Two tools are named '" + tool.name() + "'", "tools");
            }
        }
    }

    /** A tool's parameter schema, compiled: an object (no parameters: the empty object). */
    public static JsonSchema arguments(ToolDefinition tool) {
        JsonNode parameters = tool.parameters();
        if (parameters == null || parameters.isNull() || parameters.isObject() && parameters.isEmpty()) {
            parameters = JSON.createObjectNode().put("type", "object");
        }
        if (parameters.isObject() && parameters.path("properties").isEmpty() && !parameters.has("additionalProperties")
                && !parameters.has("anyOf") && !parameters.has("$ref")) {
            // No parameters declared (OpenAI's "empty parameter list"): the arguments are {}, not any object.
            parameters = ((ObjectNode) parameters.deepCopy()).put("additionalProperties", false);
        }
        JsonSchema schema;
        try {
            schema = SchemaCompiler.compile(parameters);
        } catch (UnsupportedSchemaException e) {
            throw new InvalidRequestException("Tool '" + tool.name() + "': " + e.getMessage(), "tools");
        }
        if (!schema.isObject()) {
            throw new InvalidRequestException("Tool '" + tool.name() + "': its parameters must be an object schema",
                    "tools");
        }
        return schema;
    }

    private static String compact(String json) {
        try {
            return JSON.readTree(json == null || json.isBlank() ? "{}" : json).toString();
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("A tool call's arguments are not JSON: " + e.getOriginalMessage(),
                    "messages");
        }
    }
}
