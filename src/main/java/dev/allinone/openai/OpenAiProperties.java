package dev.allinone.openai;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The OpenAI-compatible API ({@code allinone.openai.*}).
 *
 * @param enabled serve /v1/chat/completions and /v1/models (off unless set in an application that uses allinone
 *                as a library; the service turns it on)
 * @param modelId the model name /v1/models lists and answers carry; empty for allinone.model.id (requests may
 *                name any model: there is one)
 * @param allowEncodedSlash let an encoded slash ({@code %2F}) through Tomcat, as OpenAI's SDKs send a model id
 *                with a slash in {@code GET /v1/models/{id}}. A setting of the whole server (paths keep the
 *                {@code %2F} encoded, so it never becomes a separator); the service turns it on, in an application
 *                using this library it is off unless set
 */
@ConfigurationProperties("allinone.openai")
public record OpenAiProperties(
        @DefaultValue("false") boolean enabled,
        String modelId,
        @DefaultValue("false") boolean allowEncodedSlash) {
}
