package dev.allinone.companion;

import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.memory.ChatMemoryAccess;

/**
 * A warm support companion that remembers each conversation (a window of its most recent messages): a LangChain4j
 * AI service on the local model with the companion's own memory, built by {@link CompanionAutoConfiguration}.
 * The memory is not a bean: a host application's own AI services can never pick it up by accident.
 */
public interface Companion extends ChatMemoryAccess {

    @SystemMessage(fromResource = "/prompts/companion.txt")
    String chat(@MemoryId String conversationId, @UserMessage String message);

    /** The same, streamed: the answer arrives in pieces as it is generated. */
    @SystemMessage(fromResource = "/prompts/companion.txt")
    TokenStream chatStream(@MemoryId String conversationId, @UserMessage String message);
}
