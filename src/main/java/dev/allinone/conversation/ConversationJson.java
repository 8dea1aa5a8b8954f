package dev.allinone.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * The stored form of a conversation's parts: its memory in LangChain4j's own JSON for chat messages (so every
 * message type round-trips), its history as a JSON array.
 */
final class ConversationJson {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    private static final TypeReference<List<HistoryEntry>> HISTORY = new TypeReference<>() {
    };

    private ConversationJson() {
    }

    static String memory(List<ChatMessage> memory) {
        return ChatMessageSerializer.messagesToJson(memory);
    }

    static List<ChatMessage> memory(String json) {
        return ChatMessageDeserializer.messagesFromJson(json);
    }

    static String history(List<HistoryEntry> history) {
        try {
            return JSON.writeValueAsString(history);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<HistoryEntry> history(String json) {
        try {
            return JSON.readValue(json, HISTORY);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
