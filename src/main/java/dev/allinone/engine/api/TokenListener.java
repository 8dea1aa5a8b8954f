package dev.allinone.engine.api;

/**
 * Receives an answer as it is generated. Called on the inference thread, so it must be quick; the text never
 * splits a character (a Chinese character or an emoji arrives whole).
 */
@FunctionalInterface
public interface TokenListener {

    void onText(String delta);

    TokenListener NONE = delta -> { };
}
