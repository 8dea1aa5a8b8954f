package dev.allinone.engine.langchain4j;

import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.engine.tools.ToolCall;
import dev.allinone.engine.tools.ToolCallSyntax;
import dev.allinone.engine.tools.ToolDefinition;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;

import java.util.ArrayList;
import java.util.List;

/**
 * LangChain4j messages as chat-template messages. The model reads text only; tools, calls and their results are
 * written in {@link ToolCallSyntax}: the tools into the system message, calls into the assistant's turn, results
 * (consecutive ones together) into a user turn.
 */
public final class PromptMessages {

    private PromptMessages() {
    }

    static List<PromptEncoder.Message> of(List<ChatMessage> messages) {
        return of(messages, List.of());
    }

    static List<PromptEncoder.Message> of(List<ChatMessage> messages, List<ToolDefinition> tools) {
        if (messages.isEmpty()) {
            throw new InvalidRequestException("A chat request needs at least one message", "messages");
        }
        List<PromptEncoder.Message> result = new ArrayList<>(messages.size() + 1);
        List<String> results = new ArrayList<>();
        for (ChatMessage message : messages) {
            if (message instanceof ToolExecutionResultMessage m) {
                results.add(m.text() == null ? "" : m.text());
                continue;
            }
            if (!results.isEmpty()) {
                result.add(new PromptEncoder.Message("user", ToolCallSyntax.results(results)));
                results.clear();
            }
            result.add(switch (message) {
                case SystemMessage m -> new PromptEncoder.Message("system", m.text());
                case UserMessage m -> new PromptEncoder.Message("user", text(m));
                case AiMessage m -> new PromptEncoder.Message("assistant", m.hasToolExecutionRequests()
                        ? ToolCallSyntax.assistant(m.text(), m.toolExecutionRequests().stream()
                                .map(r -> new ToolCall(r.name(), r.arguments())).toList())
                        : m.text() == null ? "" : m.text());
                default -> throw new UnsupportedFeatureException(
                        "This model reads system, user, assistant and tool result messages, not " + message.type());
            });
        }
        if (!results.isEmpty()) {
            result.add(new PromptEncoder.Message("user", ToolCallSyntax.results(results)));
        }
        if (!tools.isEmpty()) {
            if (result.getFirst().role().equals("system")) {
                result.set(0, new PromptEncoder.Message("system", ToolCallSyntax.system(result.getFirst().content(), tools)));
            } else {
                result.addFirst(new PromptEncoder.Message("system", ToolCallSyntax.system(null, tools)));
            }
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
