package dev.allinone.web;

import dev.allinone.AllInOneApplication;
import dev.allinone.testing.CapturingChatModelListener;
import dev.allinone.testing.Http;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole application on a random port, over real HTTP, with the real engine on the tiny generated
 * checkpoint. Subclasses share one application context.
 */
@SpringBootTest(classes = {AllInOneApplication.class, ApiTestBase.Listener.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "allinone.model.offline=true",
                "allinone.engine.max-new-tokens=12",
                "allinone.companion.memory-window=4",
                // Small enough that the load test fills it: kept state must stay within it.
                "allinone.engine.kv-cache-budget=2MB",
        })
abstract class ApiTestBase {

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("allinone.model.models-dir", () -> TestModels.tiny().toString());
    }

    @TestConfiguration
    static class Listener {
        @Bean
        CapturingChatModelListener capturingChatModelListener() {
            return new CapturingChatModelListener();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    CapturingChatModelListener captured;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }
}
