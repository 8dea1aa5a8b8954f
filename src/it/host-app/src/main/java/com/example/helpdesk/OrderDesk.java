package com.example.helpdesk;

import dev.langchain4j.service.SystemMessage;

/** Answers questions about orders after looking the order up (built in {@link HelpdeskApplication}). */
public interface OrderDesk {

    @SystemMessage("You answer questions about orders. Always look the order up first.")
    String answer(String message);
}
