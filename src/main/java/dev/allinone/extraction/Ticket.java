package dev.allinone.extraction;

import java.util.List;

/**
 * What a customer message is about, as a support desk files it: order numbers, products, keywords, how urgent it
 * is, and a one-sentence summary. The engine holds the model's answer to this record's JSON schema, so every field
 * is there (a list may be empty, a value null where the answer's budget ran out).
 */
public record Ticket(List<String> orderNumbers, List<String> products, List<String> keywords, Urgency urgency,
                     String summary) {

    /** How soon the customer needs an answer. */
    public enum Urgency { LOW, NORMAL, HIGH, URGENT }
}
