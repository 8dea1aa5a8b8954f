package dev.allinone.sentiment;

/** How a customer feels in a message. */
public enum Sentiment {
    POSITIVE,
    NEGATIVE,
    NEUTRAL
}
