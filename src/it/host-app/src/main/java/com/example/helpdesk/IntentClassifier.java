package com.example.helpdesk;

import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.spring.AiService;

import static dev.langchain4j.service.spring.AiServiceWiringMode.EXPLICIT;

/** The help desk's own AI service, on allinone's one model; its answer is always one of the intents. */
@AiService(wiringMode = EXPLICIT, chatModel = "allinoneChatModel")
public interface IntentClassifier {

    @SystemMessage("""
            Classify the customer's message by what they want: ORDER_STATUS (where is my order), REFUND (money back),
            COMPLAINT (unhappy with something), PRODUCT_QUESTION (about a product), or OTHER.""")
    Intent classify(String message);
}
