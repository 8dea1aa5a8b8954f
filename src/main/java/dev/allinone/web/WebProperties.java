package dev.allinone.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The web pages ({@code allinone.web.*}).
 *
 * @param chatPage serve the chat page at / (the allinone service turns it on; an application that uses allinone
 *                 as a library keeps its own /, and the page stays at /allinone/index.html)
 */
@ConfigurationProperties("allinone.web")
public record WebProperties(@DefaultValue("false") boolean chatPage) {
}
