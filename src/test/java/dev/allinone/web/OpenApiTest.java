package dev.allinone.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** springdoc describes every endpoint, with the problem-details error shapes, and serves its UI locally. */
class OpenApiTest extends ApiTestBase {

    @Test
    void theSpecCoversEveryEndpointAndItsErrors() {
        JsonNode spec = http.get("/v3/api-docs").json();
        JsonNode paths = spec.get("paths");
        assertThat(paths.has("/api/sentiment")).isTrue();
        assertThat(paths.has("/api/chat")).isTrue();
        assertThat(paths.has("/api/chat/stream")).isTrue();
        assertThat(paths.has("/api/conversations/{id}")).isTrue();
        assertThat(paths.has("/v1/chat/completions")).isTrue();
        assertThat(paths.has("/v1/models")).isTrue();
        JsonNode sentiment = paths.get("/api/sentiment").get("post").get("responses");
        assertThat(sentiment.has("400")).isTrue();
        assertThat(sentiment.get("503").get("content").has("application/problem+json")).isTrue();
        assertThat(spec.get("components").get("schemas").has("ProblemDetail")).isTrue();
        assertThat(spec.get("info").get("title").asText()).isEqualTo("allinone");
    }

    @Test
    void theUiIsServedByTheAppItself() {
        assertThat(http.get("/swagger-ui/index.html").status()).isEqualTo(200);
    }
}
