package dev.allinone.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The body of {@code POST /v1/chat/completions}, the part of OpenAI's API this service speaks. Unknown fields
 * (user, seed, logprobs, ...) are accepted and ignored, as clients send them freely.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record OpenAiRequest(
        String model,
        List<Message> messages,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("presence_penalty") Double presencePenalty,
        /** A string or an array of strings. */
        JsonNode stop,
        Integer n,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @JsonProperty("response_format") ResponseFormat responseFormat,
        JsonNode tools,
        /** "none", "auto", "required", or {"type": "function", "function": {"name": ...}}. */
        @JsonProperty("tool_choice") JsonNode toolChoice) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Message(String role, JsonNode content, String name, @JsonProperty("tool_calls") JsonNode toolCalls,
                   @JsonProperty("tool_call_id") String toolCallId) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ResponseFormat(String type, @JsonProperty("json_schema") JsonSchemaSpec jsonSchema) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record JsonSchemaSpec(String name, JsonNode schema, Boolean strict) {
    }

    boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }

    Integer answerLimit() {
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    }
}
