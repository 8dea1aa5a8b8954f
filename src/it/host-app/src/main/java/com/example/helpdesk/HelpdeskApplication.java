package com.example.helpdesk;

import dev.allinone.conversation.ConversationRecord;
import dev.allinone.conversation.ConversationRepository;
import dev.allinone.conversation.InMemoryConversationRepository;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.service.AiServices;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A help desk that routes customer messages by intent, on allinone's model. */
@SpringBootApplication
public class HelpdeskApplication {

    public static void main(String[] args) {
        SpringApplication.run(HelpdeskApplication.class, args);
    }

    /**
     * The order desk: an AI service on allinone's model with the help desk's tools. Its first round must call a
     * tool (tool choice REQUIRED while the last message is the customer's); the answer after the result is text.
     */
    @Bean
    OrderDesk orderDesk(@Qualifier("allinoneChatModel") ChatModel model, OrderTools tools) {
        return AiServices.builder(OrderDesk.class).chatModel(model).tools(tools)
                .chatRequestTransformer(request -> request.toBuilder().parameters(request.parameters().overrideWith(
                        ChatRequestParameters.builder().toolChoice(request.messages().getLast() instanceof UserMessage
                                ? ToolChoice.REQUIRED : ToolChoice.NONE).build())).build())
                .build();
    }

    /** Replaces allinone's conversation repository with the help desk's own (here: one that counts). */
    @Bean
    AuditedConversations conversationRepository() {
        return new AuditedConversations();
    }

    /** The help desk's conversations: kept in memory, with an audit of how many were opened. */
    public static class AuditedConversations implements ConversationRepository {
        private final InMemoryConversationRepository conversations = new InMemoryConversationRepository();
        private final AtomicInteger opened = new AtomicInteger();

        public int opened() {
            return opened.get();
        }

        @Override
        public Optional<ConversationRecord> find(String id) {
            return conversations.find(id);
        }

        @Override
        public boolean save(ConversationRecord conversation) {
            boolean saved = conversations.save(conversation);
            if (saved && conversation.version() == 1) {
                opened.incrementAndGet();
            }
            return saved;
        }

        @Override
        public boolean delete(String id) {
            return conversations.delete(id);
        }

        @Override
        public List<String> deleteIdleSince(Instant cutoff) {
            return conversations.deleteIdleSince(cutoff);
        }

        @Override
        public List<String> deleteBeyond(long keep) {
            return conversations.deleteBeyond(keep);
        }

        @Override
        public long count() {
            return conversations.count();
        }

        @Override
        public void check() {
        }
    }
}
