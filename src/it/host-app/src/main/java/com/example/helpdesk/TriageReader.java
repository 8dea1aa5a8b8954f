package com.example.helpdesk;

import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.spring.AiService;

import static dev.langchain4j.service.spring.AiServiceWiringMode.EXPLICIT;

/** The help desk's extracting service: a record, always complete and valid, on allinone's model. */
@AiService(wiringMode = EXPLICIT, chatModel = "allinoneChatModel")
public interface TriageReader {

    @SystemMessage("Read the customer's message: what they want, the order numbers they mention, whether they are angry.")
    Triage read(String message);
}
