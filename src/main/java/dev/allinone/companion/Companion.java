package dev.allinone.companion;

import dev.allinone.engine.EngineAutoConfiguration;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import dev.langchain4j.service.memory.ChatMemoryAccess;
import dev.langchain4j.service.spring.AiService;

import static dev.langchain4j.service.spring.AiServiceWiringMode.EXPLICIT;

/**
 * A warm support companion that remembers each conversation (a window of its most recent messages). Wired
 * explicitly: the shared chat model and the companion's own memory provider.
 */
@AiService(wiringMode = EXPLICIT,
        chatModel = EngineAutoConfiguration.CHAT_MODEL,
        streamingChatModel = EngineAutoConfiguration.STREAMING_CHAT_MODEL,
        chatMemoryProvider = CompanionAutoConfiguration.CHAT_MEMORY_PROVIDER)
public interface Companion extends ChatMemoryAccess {

    @SystemMessage(fromResource = "/prompts/companion.txt")
    String chat(@MemoryId String conversationId, @UserMessage String message);

    /** The same, streamed: the answer arrives in pieces as it is generated. */
    @SystemMessage(fromResource = "/prompts/companion.txt")
    TokenStream chatStream(@MemoryId String conversationId, @UserMessage String message);
}
