package com.example.helpdesk;

import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.model.ModelDirectory;
import dev.allinone.model.synthetic.SyntheticCheckpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.ApplicationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** allinone as a dependency of another application: its own AI service, allinone's API, one replaced bean. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HelpdeskApplicationTest {

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) throws IOException {
        Path models = Path.of("target", "models").toAbsolutePath();
        ModelDirectory dir = ModelDirectory.of(models, "Qwen/Qwen1.5-0.5B-Chat");
        if (!dir.isComplete()) {
            SyntheticCheckpoint.write(dir.path(), SyntheticCheckpoint.Size.TINY, 42);
        }
        registry.add("allinone.model.models-dir", models::toString);
    }

    @Autowired
    IntentClassifier classifier;

    @Autowired
    HelpdeskApplication.AuditedConversations store;

    @Autowired
    TestRestTemplate http;

    @Autowired
    ApplicationContext context;

    @Test
    void theHostsOwnAiServiceSharesTheOneModelAndAlwaysGetsAnIntent() {
        for (String message : List.of("Where is my parcel?", "I want my money back", "这个耳机防水吗？", "hello")) {
            assertThat(classifier.classify(message)).isIn((Object[]) Intent.values());
        }
        assertThat(context.getBeansOfType(EngineChatModel.class)).hasSize(1);
        // Jlama (the reference kernels) is optional: this application did not ask for it and runs without it.
        assertThat(org.springframework.util.ClassUtils.isPresent("com.github.tjake.jlama.model.AbstractModel", null)).isFalse();
    }

    @Autowired
    TriageReader triage;

    @Autowired
    OrderDesk orderDesk;

    @Autowired
    OrderTools orderTools;

    @Test
    void theHostsAiServicesGetRecordsAndCallTheHostsTools() {
        for (String message : List.of("Order 558201 never arrived and I am furious!", "订单 A-77 的耳机坏了")) {
            Triage t = triage.read(message);
            // Parsed into the record every time. LangChain4j declares a record's fields optional (nullable in its
            // strict schema), so a random model may leave one null; what is there is valid.
            assertThat(t).isNotNull();
            assertThat(t.orderNumbers() == null ? List.<String>of() : t.orderNumbers()).doesNotContainNull();
        }
        int before = orderTools.lookedUp().size();
        orderDesk.answer("Where is order 558201?"); // its text is a random model's
        // The model had to call the tool, and the tool received a valid argument (a string, bound by LangChain4j).
        assertThat(orderTools.lookedUp()).hasSize(before + 1);
        assertThat(orderTools.lookedUp().getLast()).isNotNull();
    }

    @Test
    void allinonesApiRunsInsideTheHostWithTheHostsReplacementBean() {
        int before = store.opened();
        ResponseEntity<Map> chat = http.postForEntity("/api/chat", Map.of("message", "My order is late"), Map.class);
        assertThat(chat.getStatusCode().value()).isEqualTo(200);
        assertThat(chat.getBody()).containsKeys("conversationId", "reply", "sentiment");
        assertThat(store.opened()).isEqualTo(before + 1);

        ResponseEntity<Map> sentiment = http.postForEntity("/api/sentiment", Map.of("text", "Thanks!"), Map.class);
        assertThat(sentiment.getStatusCode().value()).isEqualTo(200);
    }

    @Test
    void theHostKeepsItsOwnRootAndSettings() {
        // The chat page stays under /allinone/; / is the host's (nothing here).
        assertThat(http.getForEntity("/allinone/index.html", String.class).getStatusCode().value()).isEqualTo(200);
        assertThat(http.getForEntity("/", String.class).getStatusCode().value()).isEqualTo(404);
        assertThat(context.getEnvironment().getProperty("spring.application.name")).isEqualTo("helpdesk");
    }
}
