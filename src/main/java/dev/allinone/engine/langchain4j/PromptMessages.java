package dev.allinone.engine.langchain4j;

import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.text.PromptEncoder;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;

import java.util.ArrayList;
import java.util.List;

/** LangChain4j messages as chat-template messages. The model reads text only and calls no tools. */
public final class PromptMessages {

    private PromptMessages() {
    }

    static List<PromptEncoder.Message> of(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new InvalidRequestException("A chat request needs at least one message", "messages");
        }
        List<PromptEncoder.Message> result = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            result.add(switch (message) {
                case SystemMessage m -> new PromptEncoder.Message("system", m.text());
                case UserMessage m -> new PromptEncoder.Message("user", text(m));
                case AiMessage m -> {
                    if (m.hasToolExecutionRequests()) {
                        throw new UnsupportedFeatureException("This model does not call tools");
                    }
                    yield new PromptEncoder.Message("assistant", m.text() == null ? "" : m.text());
                }
                default -> throw new UnsupportedFeatureException(
                        "This model reads system, user and assistant text messages, not " + message.type());
            });
        }
        return result;
    }

    private static String text(UserMessage message) {
        StringBuilder text = new StringBuilder();
        for (Content content : message.contents()) {
            if (!(content instanceof TextContent t)) {
                throw new UnsupportedFeatureException("This model reads text only, not " + content.type());
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(t.text());
        }
        return text.toString();
    }
}
