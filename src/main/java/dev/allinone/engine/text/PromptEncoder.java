package dev.allinone.engine.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.allinone.engine.api.InvalidRequestException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns chat messages into prompt tokens with the model's own {@code chat_template} (from
 * {@code tokenizer_config.json}), rendered by Jinjava the way Hugging Face renders it.
 *
 * <p>Message text never passes through the template engine: the template is rendered with placeholders,
 * the control tokens it emits are taken as control tokens, and each message's text is encoded as plain
 * text in its place. Text between control tokens is encoded as one piece, exactly as Hugging Face's
 * tokenizer does, so ordinary prompts tokenize identically.
 */
public final class PromptEncoder {

    /** One message for the template: role ({@code system}, {@code user}, {@code assistant}) and text. */
    public record Message(String role, String content) {
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\uE000(\\d+)\uE001");

    private final HfTokenizer tokenizer;
    private final String template;
    private final Map<String, Object> tokenBindings;
    private final Jinjava jinjava;
    private final Pattern specialLiterals;
    /** Rendered templates by roles (see {@link #render}); conversations are short sequences of few roles. */
    private final RecentlyUsed<String, String> rendered = new RecentlyUsed<>(512);

    public PromptEncoder(HfTokenizer tokenizer, String template, Map<String, Object> tokenBindings) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.tokenBindings = tokenBindings;
        // transformers renders chat templates with trim_blocks and lstrip_blocks on.
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        this.jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", PromptEncoder.class, "raiseException", String.class));
        this.specialLiterals = Pattern.compile(String.join("|",
                tokenizer.specialTokens().keySet().stream().map(Pattern::quote).toList()));
    }

    /** Reads {@code chat_template}, {@code bos_token} and {@code eos_token} from {@code tokenizer_config.json}. */
    public static PromptEncoder load(HfTokenizer tokenizer, Path modelDir) throws IOException {
        JsonNode config = new ObjectMapper().readTree(modelDir.resolve("tokenizer_config.json").toFile());
        String template = config.path("chat_template").asText(null);
        if (template == null || template.isBlank()) {
            throw new IOException("tokenizer_config.json in " + modelDir + " has no chat_template");
        }
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("bos_token", textOrEmpty(config.path("bos_token")));
        bindings.put("eos_token", textOrEmpty(config.path("eos_token")));
        return new PromptEncoder(tokenizer, template, bindings);
    }

    /**
     * Prompt tokens for {@code messages}; with {@code addGenerationPrompt} the prompt ends where the
     * assistant's answer begins.
     */
    public int[] encode(List<Message> messages, boolean addGenerationPrompt) {
        return encode(messages, addGenerationPrompt, text -> null);
    }

    /**
     * Like {@link #encode(List, boolean)}, but an assistant message whose text {@code answerTokens} knows (an
     * answer this engine generated) is represented by the tokens it was generated as, after the template
     * text before it encoded on its own, exactly as the prompt it was generated after ended. Generated tokens
     * are not always how the tokenizer would encode their text; this keeps the conversation's tokens, and so
     * its cached attention state, the same from one turn to the next.
     */
    public int[] encode(List<Message> messages, boolean addGenerationPrompt, Function<String, int[]> answerTokens) {
        String rendered = render(messages, addGenerationPrompt);
        List<int[]> parts = new ArrayList<>();
        Matcher special = specialLiterals.matcher(rendered);
        int textStart = 0;
        while (special.find()) {
            encodeText(rendered.substring(textStart, special.start()), messages, answerTokens, parts);
            parts.add(new int[] {tokenizer.specialTokenId(special.group())});
            textStart = special.end();
        }
        encodeText(rendered.substring(textStart), messages, answerTokens, parts);
        return HfTokenizer.concat(parts);
    }

    /**
     * The template's output with placeholders where message texts go. It depends only on the messages' roles (the
     * template sees placeholders, never the texts), so it is rendered once per sequence of roles.
     */
    String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder key = new StringBuilder(addGenerationPrompt ? "+" : "-");
        messages.forEach(m -> key.append(m.role()).append('\n'));
        return rendered.computeIfAbsent(key.toString(), k -> renderTemplate(messages, addGenerationPrompt));
    }

    private String renderTemplate(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> bound = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            bound.add(Map.of("role", messages.get(i).role(), "content", "\uE000" + i + "\uE001"));
        }
        Map<String, Object> bindings = new HashMap<>(tokenBindings);
        bindings.put("messages", bound);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(template, bindings);
        if (result.hasErrors()) {
            TemplateError error = result.getErrors().get(0);
            throw new InvalidRequestException("The model's chat template rejected the conversation: " + rootMessage(error),
                    "messages");
        }
        return result.getOutput();
    }

    /**
     * Encodes text between two control tokens: the template's text with each message's text where its
     * placeholder is, as one piece, except known answers, which go in as their own tokens.
     */
    private void encodeText(String templateText, List<Message> messages, Function<String, int[]> answerTokens,
                            List<int[]> parts) {
        Matcher m = PLACEHOLDER.matcher(templateText);
        StringBuilder pending = new StringBuilder();
        int from = 0;
        while (m.find()) {
            pending.append(templateText, from, m.start());
            Message message = messages.get(Integer.parseInt(m.group(1)));
            int[] known = message.role().equals("assistant") ? answerTokens.apply(message.content()) : null;
            if (known != null) {
                parts.add(tokenizer.encode(pending.toString()));
                parts.add(known);
                pending.setLength(0);
            } else {
                pending.append(message.content());
            }
            from = m.end();
        }
        pending.append(templateText, from, templateText.length());
        parts.add(tokenizer.encode(pending.toString()));
    }

    /** The innermost message: Jinjava wraps what a template function throws. */
    private static String rootMessage(TemplateError error) {
        Throwable t = error.getException();
        if (t == null) {
            return error.getMessage();
        }
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : error.getMessage();
    }

    private static String textOrEmpty(JsonNode token) {
        if (token.isTextual()) {
            return token.asText();
        }
        return token.path("content").asText("");
    }

    /** {@code raise_exception(message)}, which Hugging Face chat templates call to reject a conversation. */
    public static String raiseException(String message) {
        throw new InvalidRequestException(message, "messages");
    }
}
