package dev.allinone.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.langchain4j.ChatRequests;
import dev.allinone.engine.tools.ToolCallSyntax;
import dev.allinone.engine.tools.ToolDefinition;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.allinone.openai.OpenAiTranslation.invalid;
import static dev.allinone.openai.OpenAiTranslation.shorten;

/**
 * OpenAI's function calling as LangChain4j's: {@code tools}, {@code tool_choice}, an assistant message's
 * {@code tool_calls} and {@code role: tool} results in, and a call back out as {@code tool_calls}. Every tool's
 * parameter schema is compiled here, so a schema the decoder cannot hold to, or that no arguments satisfy, is a
 * 400 naming the tool before anything reaches the model.
 */
final class OpenAiTools {

    /** OpenAI's rule for function names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiTools() {
    }

    static void apply(JsonNode tools, JsonNode toolChoice, ChatRequest.Builder builder) {
        boolean none = tools == null || tools.isNull() || tools.isArray() && tools.isEmpty();
        if (none) {
            if (toolChoice != null && !toolChoice.isNull() && !"none".equals(toolChoice.asText())
                    && !"auto".equals(toolChoice.asText())) {
                throw invalid("tool_choice needs tools", "tool_choice");
            }
            return;
        }
        if (!tools.isArray()) {
            throw invalid("tools must be an array of functions", "tools");
        }
        if (tools.size() > ToolCallSyntax.MAX_TOOLS) {
            throw invalid("tools takes at most " + ToolCallSyntax.MAX_TOOLS + " functions", "tools");
        }
        String chosen = null;
        ToolChoice choice = ToolChoice.AUTO;
        if (toolChoice != null && !toolChoice.isNull()) {
            if (toolChoice.isTextual()) {
                choice = switch (toolChoice.asText()) {
                    case "none" -> ToolChoice.NONE;
                    case "auto" -> ToolChoice.AUTO;
                    case "required" -> ToolChoice.REQUIRED;
                    default -> throw invalid("tool_choice must be none, auto, required or a function, not '"
                            + shorten(toolChoice.asText()) + "'", "tool_choice");
                };
            } else if (toolChoice.isObject() && "function".equals(toolChoice.path("type").asText())
                    && toolChoice.path("function").path("name").isTextual()) {
                choice = ToolChoice.REQUIRED;
                chosen = toolChoice.path("function").path("name").asText();
            } else {
                throw invalid("tool_choice must be none, auto, required or {\"type\": \"function\", \"function\": "
                        + "{\"name\": ...}}", "tool_choice");
            }
        }
        List<ToolSpecification> specs = new ArrayList<>();
        boolean found = chosen == null;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            String param = "tools[" + i + "]";
            JsonNode tool = tools.get(i);
            JsonNode function = tool.path("function");
            if (!"function".equals(tool.path("type").asText()) || !function.isObject()) {
                throw invalid(param + " must be {\"type\": \"function\", \"function\": {...}}", param);
            }
            String name = function.path("name").asText("");
            if (!NAME.matcher(name).matches()) {
                throw invalid(param + ".function.name must be 1 to 64 letters, digits, _ or -, not '" + shorten(name)
                        + "'", param + ".function.name");
            }
            JsonNode parameters = function.get("parameters");
            String description = function.path("description").isTextual() ? function.get("description").asText() : null;
            try {
                ToolCallSyntax.arguments(new ToolDefinition(name, description, parameters));
            } catch (InvalidRequestException e) {
                throw invalid(e.getMessage(), param + ".function.parameters");
            }
            if (!names.add(name)) {
                throw invalid(param + ".function.name: two functions are named '" + name + "'", param + ".function.name");
            }
            boolean isChosen = name.equals(chosen);
            found |= isChosen;
            specs.add(ToolSpecification.builder().name(name).description(description)
                    .parameters(parameters(parameters))
                    .metadata(isChosen ? Map.of(ChatRequests.CHOSEN_TOOL, true) : Map.of())
                    .build());
        }
        if (!found) {
            throw invalid("tool_choice names the function '" + shorten(chosen) + "', which tools do not define",
                    "tool_choice");
        }
        builder.toolSpecifications(specs).toolChoice(choice);
    }

    /**
     * A parameter schema as LangChain4j's object schema, each property and definition carried as it was written
     * (a raw schema), so that nothing of it is lost on the way to the decoder.
     */
    private static JsonObjectSchema parameters(JsonNode parameters) {
        if (parameters == null || parameters.isNull()) {
            return null;
        }
        JsonObjectSchema.Builder schema = JsonObjectSchema.builder();
        parameters.path("properties").properties()
                .forEach(p -> schema.addProperty(p.getKey(), JsonRawSchema.from(p.getValue().toString())));
        List<String> required = new ArrayList<>();
        parameters.path("required").forEach(r -> required.add(r.asText()));
        schema.required(required);
        if (parameters.has("additionalProperties") && parameters.get("additionalProperties").isBoolean()) {
            schema.additionalProperties(parameters.get("additionalProperties").asBoolean());
        }
        Map<String, JsonSchemaElement> definitions = new LinkedHashMap<>();
        for (String key : List.of("$defs", "definitions")) {
            parameters.path(key).properties()
                    .forEach(d -> definitions.put(d.getKey(), JsonRawSchema.from(d.getValue().toString())));
        }
        if (!definitions.isEmpty()) {
            schema.definitions(definitions);
        }
        if (parameters.path("description").isTextual()) {
            schema.description(parameters.get("description").asText());
        }
        return schema.build();
    }

    /** An assistant message: its text, and the calls it made. */
    static AiMessage assistant(String text, JsonNode toolCalls, String param) {
        if (toolCalls == null || toolCalls.isNull() || toolCalls.isEmpty()) {
            return AiMessage.from(text);
        }
        if (!toolCalls.isArray()) {
            throw invalid(param + ".tool_calls must be an array", param + ".tool_calls");
        }
        List<ToolExecutionRequest> calls = new ArrayList<>();
        for (int i = 0; i < toolCalls.size(); i++) {
            JsonNode call = toolCalls.get(i);
            String at = param + ".tool_calls[" + i + "]";
            JsonNode function = call.path("function");
            if (!function.path("name").isTextual()) {
                throw invalid(at + ".function.name must be a string", at + ".function.name");
            }
            JsonNode arguments = function.path("arguments");
            String args = arguments.isTextual() ? arguments.asText() : arguments.isObject() ? arguments.toString() : "{}";
            try {
                if (!JSON.readTree(args.isBlank() ? "{}" : args).isObject()) {
                    throw invalid(at + ".function.arguments must be a JSON object", at + ".function.arguments");
                }
            } catch (JsonProcessingException e) {
                throw invalid(at + ".function.arguments must be JSON: " + e.getOriginalMessage(), at + ".function.arguments");
            }
            calls.add(ToolExecutionRequest.builder().id(call.path("id").asText(null))
                    .name(function.get("name").asText()).arguments(args).build());
        }
        return text == null || text.isEmpty() ? AiMessage.from(calls) : AiMessage.from(text, calls);
    }

    /** A tool's result, named after the call it answers (found among the earlier messages' calls). */
    static ToolExecutionResultMessage result(OpenAiRequest.Message m, String text, List<ChatMessage> earlier, String param) {
        String id = m.toolCallId();
        if (id == null || id.isBlank()) {
            throw invalid(param + ".tool_call_id is required for a tool message", param + ".tool_call_id");
        }
        String name = m.name();
        for (int i = earlier.size() - 1; i >= 0 && name == null; i--) {
            if (earlier.get(i) instanceof AiMessage ai && ai.hasToolExecutionRequests()) {
                for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                    if (id.equals(r.id())) {
                        name = r.name();
                    }
                }
            }
        }
        return ToolExecutionResultMessage.from(id, name == null ? "" : name, text);
    }
}
