package dev.allinone.security;

import dev.allinone.testing.Http;
import dev.allinone.testing.RunningApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With API keys configured, every /api and /v1 call needs one, and a conversation belongs to the key that
 * started it: another key cannot tell it exists.
 */
class ApiKeysTest {

    private static final String ALICE = "alice-key-0123456789abcdef0123456789abcdef";
    private static final String BOB = "bob-key-fedcba9876543210fedcba9876543210";
    private static RunningApp app;
    private static Http anonymous;

    @BeforeAll
    static void start() {
        app = RunningApp.start("allinone.conversations.store=memory",
                "allinone.security.api-keys.alice=" + hash(ALICE), "allinone.security.api-keys.bob=" + hash(BOB));
        anonymous = app.http();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static String hash(String key) {
        return HexFormat.of().formatHex(ApiKeys.sha256(key));
    }

    private static final String CHAT = Http.json(Map.of("message", "Hello"));
    private static final String COMPLETION = Http.json(Map.of("model", "qwen",
            "messages", java.util.List.of(Map.of("role", "user", "content", "Hello"))));

    @Test
    void everyApiCallWithoutAValidKeyIs401() {
        for (Http caller : java.util.List.of(anonymous, anonymous.withApiKey("not-a-key"),
                anonymous.withHeaders(Map.of("Authorization", "Basic " + ALICE)))) {
            for (Http.Response r : java.util.List.of(caller.post("/api/chat", CHAT),
                    caller.post("/api/sentiment", Http.json(Map.of("text", "great"))),
                    caller.get("/api/conversations/x"), caller.post("/v1/chat/completions", COMPLETION),
                    caller.get("/v1/models"))) {
                assertThat(r.status()).as(r.raw().uri().toString()).isEqualTo(401);
                assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"allinone\"");
                if (r.raw().uri().getPath().startsWith("/v1/")) {
                    // OpenAI's error object, which OpenAI's SDKs turn into their AuthenticationError
                    assertThat(r.contentType()).startsWith("application/json");
                    assertThat(r.json().at("/error/message").asText()).containsIgnoringCase("key");
                    assertThat(r.json().at("/error/type").asText()).isEqualTo("authentication_error");
                    assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
                } else {
                    assertThat(r.contentType()).startsWith("application/problem+json");
                    assertThat(r.json().get("detail").asText()).containsIgnoringCase("key");
                    assertThat(r.json().get("code").asText()).isEqualTo("invalid_api_key");
                }
            }
        }
    }

    @Test
    void aValidKeyWorksAsBearerOrAsXApiKey() {
        assertThat(anonymous.withApiKey(ALICE).post("/api/sentiment", Http.json(Map.of("text", "great"))).status())
                .isEqualTo(200);
        assertThat(anonymous.withHeaders(Map.of("X-API-Key", BOB)).post("/v1/chat/completions", COMPLETION).status())
                .isEqualTo(200);
        // Outside the API nothing changes: the page and the health checks need no key.
        assertThat(anonymous.get("/allinone/index.html").status()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
    }

    @Test
    void anotherKeyCannotReadContinueOrDeleteAConversation() {
        Http alice = anonymous.withApiKey(ALICE);
        Http bob = anonymous.withApiKey(BOB);
        Http.Response started = alice.post("/api/chat", Http.json(Map.of("message", "My card was charged twice")));
        assertThat(started.status()).isEqualTo(200);
        String id = started.json().get("conversationId").asText();
        String history = alice.get("/api/conversations/" + id).body();

        // To bob it does not exist: 404, as for an id nobody has (403 would tell him it exists).
        Http.Response read = bob.get("/api/conversations/" + id);
        assertThat(read.status()).isEqualTo(404);
        assertThat(read.json().get("detail").asText()).isEqualTo(bob.get("/api/conversations/" + "0" + id.substring(1))
                .json().get("detail").asText().replace("0" + id.substring(1), id));
        assertThat(bob.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "what did she say?"))).status())
                .isEqualTo(404);
        assertThat(bob.post("/api/chat/stream", Http.json(Map.of("conversationId", id, "message", "hi"))).status())
                .isEqualTo(404);
        assertThat(bob.delete("/api/conversations/" + id).status()).isEqualTo(404);

        // Alice's conversation is untouched, and hers to continue and delete.
        assertThat(alice.get("/api/conversations/" + id).body()).isEqualTo(history);
        assertThat(alice.post("/api/chat", Http.json(Map.of("conversationId", id, "message", "Any news?"))).status())
                .isEqualTo(200);
        assertThat(alice.delete("/api/conversations/" + id).status()).isEqualTo(204);
        assertThat(alice.get("/api/conversations/" + id).status()).isEqualTo(404);
    }

    @Test
    void healthDetailsAreForCallersWithAKey() {
        // Without a key the probes answer with the status alone: no model, memory, store or disk path.
        for (String path : new String[] {"/actuator/health", "/actuator/health/readiness"}) {
            Http.Response open = anonymous.get(path);
            assertThat(open.status()).isEqualTo(200);
            assertThat(open.json().get("status").asText()).isEqualTo("UP");
            assertThat(open.json().has("components")).as(open.body()).isFalse();
            assertThat(open.body()).doesNotContain("Qwen", "memory", "conversations.db");
        }
        assertThat(anonymous.withApiKey("not-a-key").get("/actuator/health").json().has("components")).isFalse();
        // With one, the details.
        Http.Response detailed = anonymous.withApiKey(ALICE).get("/actuator/health/readiness");
        assertThat(detailed.status()).isEqualTo(200);
        assertThat(detailed.json().at("/components/model/details/model").asText()).isEqualTo("Qwen/Qwen1.5-0.5B-Chat");
        assertThat(detailed.json().at("/components/model/details/memory/budgetBytes").asLong()).isPositive();
    }
}
