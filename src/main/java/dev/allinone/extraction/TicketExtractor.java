package dev.allinone.extraction;

import dev.langchain4j.service.SystemMessage;

/**
 * Files a customer message as a {@link Ticket}: a LangChain4j AI service on the local model, with no memory. The
 * record return type makes LangChain4j send its JSON schema, and the engine's constrained decoder makes every
 * answer a valid ticket. {@link ExtractionAutoConfiguration} builds it; inject it as a bean. Hosts declare their
 * own extracting services the same way, with their own records.
 */
public interface TicketExtractor {

    @SystemMessage(fromResource = "/prompts/ticket-extractor.txt")
    Ticket extract(String message);
}
