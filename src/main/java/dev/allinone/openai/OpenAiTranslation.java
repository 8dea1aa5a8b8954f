package dev.allinone.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.engine.api.ParameterRange;
import dev.allinone.engine.constraint.SchemaCompiler;
import dev.allinone.web.UnicodeText;
import dev.allinone.web.errors.BadRequestException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.model.output.FinishReason;

import java.util.ArrayList;
import java.util.List;

/** OpenAI chat-completion requests as LangChain4j chat requests, and finish reasons back. */
final class OpenAiTranslation {

    private OpenAiTranslation() {
    }

    static ChatRequest chatRequest(OpenAiRequest request) {
        if (request.messages() == null || request.messages().isEmpty()) {
            throw invalid("messages must have at least one message", "messages");
        }
        if (request.n() != null && request.n() != 1) {
            throw invalid("n must be 1: this server returns one choice", "n");
        }
        // OpenAI's ranges, checked here so that the error names OpenAI's parameter.
        ParameterRange.TEMPERATURE.check(request.temperature(), "temperature");
        ParameterRange.TOP_P.check(request.topP(), "top_p");
        ParameterRange.PENALTY.check(request.frequencyPenalty(), "frequency_penalty");
        ParameterRange.PENALTY.check(request.presencePenalty(), "presence_penalty");
        ChatRequest.Builder builder = ChatRequest.builder().messages(messages(request.messages()));
        if (request.temperature() != null) {
            builder.temperature(request.temperature());
        }
        if (request.topP() != null) {
            builder.topP(request.topP());
        }
        if (request.frequencyPenalty() != null) {
            builder.frequencyPenalty(request.frequencyPenalty());
        }
        if (request.presencePenalty() != null) {
            builder.presencePenalty(request.presencePenalty());
        }
        if (request.answerLimit() != null) {
            if (request.answerLimit() < 1) {
                throw invalid((request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens")
                        + " must be at least 1", request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens");
            }
            builder.maxOutputTokens(request.answerLimit());
        }
        List<String> stops = stops(request.stop());
        if (!stops.isEmpty()) {
            builder.stopSequences(stops);
        }
        ResponseFormat format = responseFormat(request.responseFormat());
        if (format != null) {
            builder.responseFormat(format);
        }
        OpenAiTools.apply(request.tools(), request.toolChoice(), builder);
        return builder.build();
    }

    private static List<ChatMessage> messages(List<OpenAiRequest.Message> messages) {
        List<ChatMessage> result = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            OpenAiRequest.Message m = messages.get(i);
            String param = "messages[" + i + "]";
            if (m == null) {
                throw invalid(param + " must be a message object", param);
            }
            String role = m.role() == null ? "" : m.role();
            String text = text(m.content(), param + ".content");
            if (!role.equals("assistant") && !role.equals("tool") && UnicodeText.isBlank(text)) {
                // An assistant turn may be empty (a call), and so may a tool's result; a system or user message
                // without text says nothing to answer.
                throw invalid(param + ".content must not be empty or blank", param + ".content");
            }
            result.add(switch (role) {
                case "system", "developer" -> SystemMessage.from(text);
                case "user" -> UserMessage.from(text);
                case "assistant" -> OpenAiTools.assistant(text, m.toolCalls(), param);
                case "tool" -> OpenAiTools.result(m, text, result, param);
                default -> throw invalid(param + ".role must be system, developer, user, assistant or tool, not '"
                        + shorten(m.role()) + "'", param + ".role");
            });
        }
        return result;
    }

    /** A message's text: a string, or the text parts of an array of content parts. */
    private static String text(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        String text;
        if (content.isTextual()) {
            text = content.asText();
        } else if (content.isArray()) {
            StringBuilder parts = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw invalid("this model reads text only, not " + shorten(part.path("type").asText("unknown"))
                            + " content", param);
                }
                if (!part.path("text").isTextual()) {
                    throw invalid(param + ": a text part needs its text as a string", param);
                }
                parts.append(part.path("text").asText());
            }
            text = parts.toString();
        } else {
            throw invalid(param + " must be a string or an array of text parts", param);
        }
        if (UnicodeText.hasLoneSurrogate(text)) {
            throw invalid(param + " must be valid Unicode text (it holds an unpaired surrogate)", param);
        }
        return text;
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (!stop.isArray()) {
            throw invalid("stop must be a string or an array of strings", "stop");
        }
        List<String> stops = new ArrayList<>();
        for (JsonNode s : stop) {
            if (!s.isTextual() || s.asText().isEmpty()) {
                throw invalid("stop must be a string or an array of non-empty strings", "stop");
            }
            stops.add(s.asText());
        }
        if (stops.size() > 4) {
            throw invalid("stop takes at most 4 sequences", "stop");
        }
        return stops;
    }

    static String shorten(String text) {
        return text == null ? "null" : text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    static BadRequestException invalid(String message, String param) {
        return new BadRequestException(message, param);
    }

    /**
     * {@code text} or none: no format. {@code json_object}: any JSON object. {@code json_schema}: a value of the
     * schema, always valid (the engine's constrained decoder); a schema whose answer is one of a fixed set of values
     * (a bare enum, or an object with one enum or boolean property) is answered by scoring every value instead. A
     * schema keyword the decoder cannot guarantee is refused here, with its name.
     */
    private static ResponseFormat responseFormat(OpenAiRequest.ResponseFormat format) {
        if (format == null || format.type() == null || format.type().equals("text")) {
            return null;
        }
        if (format.type().equals("json_object")) {
            return ResponseFormat.JSON;
        }
        if (!format.type().equals("json_schema") || format.jsonSchema() == null || format.jsonSchema().schema() == null) {
            throw invalid("response_format must be text, json_object, or json_schema with a schema", "response_format");
        }
        JsonNode schema = format.jsonSchema().schema();
        SchemaCompiler.compile(schema);
        JsonSchemaElement root = choiceShaped(schema) ? element(schema) : JsonRawSchema.from(schema.toString());
        String name = format.jsonSchema().name() == null ? "answer" : format.jsonSchema().name();
        return ResponseFormat.builder().type(ResponseFormatType.JSON)
                .jsonSchema(JsonSchema.builder().name(name).rootElement(root).build()).build();
    }

    /** A bare enum of plain values, or an object whose only property is such an enum or a boolean. */
    private static boolean choiceShaped(JsonNode schema) {
        if (schema.has("enum")) {
            boolean plain = true;
            for (JsonNode v : schema.get("enum")) {
                plain &= v.isValueNode() && !v.isNull();
            }
            return plain && !schema.get("enum").isEmpty() && onlyKeywords(schema, "enum", "type", "description", "title", "$schema");
        }
        if (schema.path("type").asText("").equals("boolean")) {
            return onlyKeywords(schema, "type", "description", "title", "$schema");
        }
        return schema.path("type").asText("").equals("object") && schema.path("properties").size() == 1
                && onlyKeywords(schema, "type", "properties", "required", "additionalProperties", "description", "title",
                "$schema")
                && !schema.get("properties").elements().next().path("type").asText("").equals("object")
                && choiceShaped(schema.get("properties").elements().next());
    }

    private static boolean onlyKeywords(JsonNode schema, String... allowed) {
        List<String> names = List.of(allowed);
        for (var it = schema.fieldNames(); it.hasNext(); ) {
            if (!names.contains(it.next())) {
                return false;
            }
        }
        return true;
    }

    private static JsonSchemaElement element(JsonNode schema) {
        if (schema.has("enum")) {
            if (!schema.get("enum").isArray() || schema.get("enum").isEmpty()) {
                throw invalid("response_format: an enum must list at least one value", "response_format");
            }
            List<String> values = new ArrayList<>();
            for (JsonNode v : schema.get("enum")) {
                if (!v.isValueNode() || v.isNull()) {
                    throw invalid("response_format: enum values must be strings, numbers or booleans", "response_format");
                }
                values.add(v.asText());
            }
            return JsonEnumSchema.builder().enumValues(values).build();
        }
        String type = schema.path("type").asText("");
        return switch (type) {
            case "boolean" -> new JsonBooleanSchema.Builder().build();
            case "string" -> new JsonStringSchema.Builder().build();
            case "object" -> {
                JsonObjectSchema.Builder object = JsonObjectSchema.builder();
                schema.path("properties").properties().forEach(p -> object.addProperty(p.getKey(), element(p.getValue())));
                List<String> required = new ArrayList<>();
                schema.path("required").forEach(r -> required.add(r.asText()));
                object.required(required);
                yield object.build();
            }
            default -> throw new IllegalStateException("not a choice: " + shorten(type));
        };
    }

    static String finishReason(FinishReason reason) {
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case LENGTH -> "length";
            case CONTENT_FILTER -> "content_filter";
            case TOOL_EXECUTION -> "tool_calls";
            default -> "stop";
        };
    }
}
