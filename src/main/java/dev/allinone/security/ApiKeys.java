package dev.allinone.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks API keys against their configured SHA-256 hashes. Keys are long random tokens, so an unsalted hash
 * is enough to keep them secret at rest; the comparison takes the same time whatever matches.
 */
public class ApiKeys {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Map<String, byte[]> hashes = new LinkedHashMap<>();

    public ApiKeys(ApiKeyProperties properties) {
        properties.apiKeys().forEach((name, hash) -> {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("allinone.security.api-keys: '" + name + "' is not a usable name"
                        + " (letters, digits, '.', '_', '-'; at most 64)");
            }
            String value = hash == null ? "" : hash.strip();
            if (!SHA256_HEX.matcher(value).matches()) {
                throw new IllegalArgumentException("allinone.security.api-keys." + name + " must be the SHA-256 of the"
                        + " key as 64 hex digits (printf %s \"$KEY\" | sha256sum), never the key itself");
            }
            hashes.put(name, HexFormat.of().parseHex(value));
        });
    }

    /** Whether keys are required: at least one is configured. */
    public boolean enabled() {
        return !hashes.isEmpty();
    }

    /** The name of the client whose key this is. */
    public Optional<String> authenticate(String key) {
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        byte[] hash = sha256(key.strip());
        String match = null;
        for (Map.Entry<String, byte[]> e : hashes.entrySet()) {
            if (MessageDigest.isEqual(hash, e.getValue())) { // every entry compared: no early exit to time
                match = e.getKey();
            }
        }
        return Optional.ofNullable(match);
    }

    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
