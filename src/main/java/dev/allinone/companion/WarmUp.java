package dev.allinone.companion;

import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Once the application is ready, one sentiment call and a two-token companion answer, in the background: the JIT
 * compiles the kernels and both system prompts are computed and kept, work the first customer would otherwise
 * wait for (~2.5 s instead of ~0.2 s at full size). Requests that arrive meanwhile queue behind it as behind any
 * other. Only for this library's engine: a host's own chat model is not ours to warm.
 */
class WarmUp implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

    private final SentimentAnalyst analyst;
    private final ChatModel chatModel;

    WarmUp(SentimentAnalyst analyst, ChatModel chatModel) {
        this.analyst = analyst;
        this.chatModel = chatModel;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (!(chatModel instanceof EngineChatModel)) {
            return;
        }
        Thread.ofVirtual().name("allinone-warm-up").start(() -> {
            long start = System.nanoTime();
            try {
                analyst.analyze("Hello, thank you!");
                chatModel.chat(ChatRequest.builder()
                        .messages(SystemMessage.from(companionPrompt()), UserMessage.from("Hello"))
                        .maxOutputTokens(2).build());
                log.info("Warmed up in {} ms", (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException | IOException e) {
                log.info("Warm-up skipped: {}", e.toString());
            }
        });
    }

    /** The companion's system prompt as its AI service sends it (see {@link Companion}). */
    private static String companionPrompt() throws IOException {
        try (InputStream in = WarmUp.class.getResourceAsStream("/prompts/companion.txt")) {
            if (in == null) {
                throw new IOException("no /prompts/companion.txt");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
