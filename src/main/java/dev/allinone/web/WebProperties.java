package dev.allinone.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The web pages ({@code allinone.web.*}).
 *
 * @param chatPage       serve the chat page at /allinone/index.html (needs the REST API: allinone.api.enabled)
 * @param chatPageAtRoot send / to the chat page (the allinone service does; an application that uses allinone as
 *                       a library keeps its own /)
 */
@ConfigurationProperties("allinone.web")
public record WebProperties(@DefaultValue("false") boolean chatPage, @DefaultValue("false") boolean chatPageAtRoot) {
}
