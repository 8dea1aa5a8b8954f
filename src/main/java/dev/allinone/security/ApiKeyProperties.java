package dev.allinone.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.Map;

/**
 * API keys ({@code allinone.security.*}).
 *
 * @param apiKeys each client's name and the SHA-256 of its key as 64 hex digits ({@code printf %s "$KEY" |
 *                sha256sum}); the keys themselves are never configured. Empty (the default): no key is needed.
 * @param actuatorDetailsForKeys a valid API key makes an Actuator request authorised (health details with
 *                {@code show-details: when-authorized}); with no keys configured every request is. The
 *                service turns it on; an application using this library has its own security
 */
@ConfigurationProperties("allinone.security")
public record ApiKeyProperties(Map<String, String> apiKeys, boolean actuatorDetailsForKeys) {

    public ApiKeyProperties {
        apiKeys = apiKeys == null ? Map.of() : Map.copyOf(apiKeys);
    }
}
