package dev.allinone.openai;

import com.fasterxml.jackson.databind.JsonNode;
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
            throw new OpenAiException(400, "invalid_request_error", "messages must have at least one message");
        }
        if (request.n() != null && request.n() != 1) {
            throw new OpenAiException(400, "invalid_request_error", "n must be 1: this server returns one choice");
        }
        if (request.tools() != null && !request.tools().isEmpty()) {
            throw new OpenAiException(400, "invalid_request_error", "tools are not supported by this model");
        }
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
                throw new OpenAiException(400, "invalid_request_error", "max_tokens must be at least 1");
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
        return builder.build();
    }

    private static List<ChatMessage> messages(List<OpenAiRequest.Message> messages) {
        List<ChatMessage> result = new ArrayList<>();
        for (OpenAiRequest.Message m : messages) {
            String text = text(m.content());
            result.add(switch (m.role() == null ? "" : m.role()) {
                case "system", "developer" -> SystemMessage.from(text);
                case "user" -> UserMessage.from(text);
                case "assistant" -> AiMessage.from(text);
                default -> throw new OpenAiException(400, "invalid_request_error",
                        "message role must be system, developer, user or assistant, not '" + m.role() + "'");
            });
        }
        return result;
    }

    /** A message's text: a string, or the text parts of an array of content parts. */
    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw new OpenAiException(400, "invalid_request_error", "this model reads text only, not "
                            + part.path("type").asText("unknown") + " content");
                }
                text.append(part.path("text").asText());
            }
            return text.toString();
        }
        throw new OpenAiException(400, "invalid_request_error", "message content must be a string or an array of parts");
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        List<String> stops = new ArrayList<>();
        stop.forEach(s -> stops.add(s.asText()));
        if (stops.size() > 4) {
            throw new OpenAiException(400, "invalid_request_error", "stop takes at most 4 sequences");
        }
        return stops;
    }

    /**
     * {@code text} or none: no format. {@code json_schema} whose answer is one of a fixed set of values — an
     * object with one enum (or boolean) property, or a bare enum — is answered exactly; other JSON formats are
     * refused, because a model this small cannot be trusted to produce them.
     */
    private static ResponseFormat responseFormat(OpenAiRequest.ResponseFormat format) {
        if (format == null || format.type() == null || format.type().equals("text")) {
            return null;
        }
        if (!format.type().equals("json_schema") || format.jsonSchema() == null || format.jsonSchema().schema() == null) {
            throw new OpenAiException(400, "invalid_request_error", "response_format must be text, or json_schema with "
                    + "a schema whose answer is one of a fixed set of values (an enum)");
        }
        JsonSchemaElement root = element(format.jsonSchema().schema());
        String name = format.jsonSchema().name() == null ? "answer" : format.jsonSchema().name();
        return ResponseFormat.builder().type(ResponseFormatType.JSON)
                .jsonSchema(JsonSchema.builder().name(name).rootElement(root).build()).build();
    }

    private static JsonSchemaElement element(JsonNode schema) {
        if (schema.has("enum")) {
            List<String> values = new ArrayList<>();
            schema.get("enum").forEach(v -> values.add(v.asText()));
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
            default -> throw new OpenAiException(400, "invalid_request_error",
                    "json_schema: only objects, strings, booleans and enums are understood, not '" + type + "'");
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
