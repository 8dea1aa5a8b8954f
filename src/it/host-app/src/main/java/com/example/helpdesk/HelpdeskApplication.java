package com.example.helpdesk;

import dev.allinone.companion.CompanionProperties;
import dev.allinone.companion.ConversationStore;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A help desk that routes customer messages by intent, on allinone's model. */
@SpringBootApplication
public class HelpdeskApplication {

    public static void main(String[] args) {
        SpringApplication.run(HelpdeskApplication.class, args);
    }

    /** Replaces allinone's conversation store with the help desk's own (here: one that counts). */
    @Bean
    AuditedConversationStore conversationStore(CompanionProperties properties) {
        return new AuditedConversationStore(properties);
    }

    /** The help desk's store: allinone's, plus an audit of how many conversations were opened. */
    public static class AuditedConversationStore extends ConversationStore {
        private final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();

        public AuditedConversationStore(CompanionProperties properties) {
            super(properties);
        }

        @Override
        public dev.allinone.companion.Conversation create() {
            opened.incrementAndGet();
            return super.create();
        }

        public int opened() {
            return opened.get();
        }
    }
}
