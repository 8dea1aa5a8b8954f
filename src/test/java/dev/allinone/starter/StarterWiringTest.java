package dev.allinone.starter;

import dev.allinone.companion.Companion;
import dev.allinone.companion.CompanionAutoConfiguration;
import dev.allinone.conversation.ConversationAutoConfiguration;
import dev.allinone.conversation.ConversationProperties;
import dev.allinone.engine.EngineAutoConfiguration;
import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.actuator.EngineActuatorAutoConfiguration;
import dev.allinone.engine.actuator.ModelHealthIndicator;
import dev.allinone.engine.api.EngineSetupException;
import dev.allinone.engine.jlama.JlamaAutoConfiguration;
import dev.allinone.engine.langchain4j.EngineChatModel;
import dev.allinone.engine.langchain4j.EngineChatModelAutoConfiguration;
import dev.allinone.model.ModelAutoConfiguration;
import dev.allinone.openai.OpenAiAutoConfiguration;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.extraction.ExtractionAutoConfiguration;
import dev.allinone.sentiment.SentimentAutoConfiguration;
import dev.allinone.testing.TestModels;
import dev.allinone.web.WebAutoConfiguration;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's wiring, scenario by scenario, as small applications (the way langchain4j-spring tests its own):
 * what a host application gets by default, what each switch turns on, and what happens when the host has a chat
 * model of its own or leaves Redis, Actuator or Jlama off its classpath. Every scenario loads the real engine on
 * the tiny checkpoint.
 */
class StarterWiringTest {

    /** Jlama's packages, hidden as if jlama-core were not on the classpath. */
    private static final String JLAMA = "com.github.tjake.jlama";

    private final WebApplicationContextRunner host = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, ModelAutoConfiguration.class,
                    EngineActuatorAutoConfiguration.class, JlamaAutoConfiguration.class, EngineAutoConfiguration.class,
                    EngineChatModelAutoConfiguration.class, SentimentAutoConfiguration.class,
                    ExtractionAutoConfiguration.class, ConversationAutoConfiguration.class,
                    CompanionAutoConfiguration.class, WebAutoConfiguration.class,
                    OpenAiAutoConfiguration.class))
            .withPropertyValues("allinone.model.offline=true", "allinone.model.models-dir=" + TestModels.tiny(),
                    "allinone.engine.warm-up=false", "allinone.conversations.store=memory");

    @Test
    void aHostGetsTheModelAndItsServicesButNoHttpSurface() {
        host.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(LocalEngine.class).hasSingleBean(SentimentAnalyst.class)
                    .hasSingleBean(Companion.class);
            assertThat(context.getBean(EngineChatModelAutoConfiguration.CHAT_MODEL)).isInstanceOf(EngineChatModel.class);
            assertThat(context).doesNotHaveBean("dev.allinone.web.SentimentController").doesNotHaveBean("dev.allinone.web.ChatController")
                    .doesNotHaveBean("dev.allinone.openai.OpenAiController").doesNotHaveBean("allinoneChatPage");
            // The companion's memory is not a bean: a host's own AUTOMATIC @AiService cannot pick it up.
            assertThat(context).doesNotHaveBean(ChatMemoryProvider.class);
        });
    }

    @Test
    void eachSurfaceHasItsOwnSwitch() {
        host.withPropertyValues("allinone.api.enabled=true").run(context -> {
            assertThat(context).hasBean("dev.allinone.web.SentimentController").hasBean("dev.allinone.web.ChatController")
                    .doesNotHaveBean("dev.allinone.openai.OpenAiController").doesNotHaveBean("allinoneChatPage");
        });
        host.withPropertyValues("allinone.openai.enabled=true").run(context -> {
            assertThat(context).hasBean("dev.allinone.openai.OpenAiController").doesNotHaveBean("dev.allinone.web.SentimentController");
        });
        host.withPropertyValues("allinone.api.enabled=true", "allinone.web.chat-page=true").run(context -> {
            assertThat(context).hasBean("allinoneChatPage");
        });
    }

    @Test
    void aHostsOwnChatModelStaysBesideTheLocalOneAndOurServicesUseTheLocalOne() {
        host.withUserConfiguration(HostModel.class).run(context -> {
            assertThat(context.getBeansOfType(ChatModel.class)).containsOnlyKeys("openAiChatModel", "allinoneChatModel");
            assertThat(context.getBean(SentimentAnalyst.class).analyzeWithDetails("I love it").finalResponse()
                    .metadata().modelName()).isEqualTo(TestModels.MODEL_ID);
            assertThat(HostModel.calls).isZero();
        });
    }

    @Test
    void injectionByTypeAloneGetsTheHostsOwnModelAndOursOnlyWhenTheHostHasNone() {
        host.withUserConfiguration(HostModel.class, HostInjection.class).run(context ->
                assertThat(context.getBean(Injected.class).model()).isSameAs(context.getBean("openAiChatModel")));
        host.withUserConfiguration(HostInjection.class).run(context ->
                assertThat(context.getBean(Injected.class).model()).isInstanceOf(EngineChatModel.class));
    }

    @Test
    void aSurfaceThatIsOffLeavesItsPathToTheHost() {
        host.withPropertyValues("allinone.openai.enabled=true").run(context -> {
            FilterRegistrationBean<?> checks = context.getBean("allinoneApiRequestFilter", FilterRegistrationBean.class);
            assertThat(checks.getUrlPatterns()).containsExactly("/v1/*"); // the host's own /api/** is not ours
        });
        host.withPropertyValues("allinone.api.enabled=true").run(context -> {
            FilterRegistrationBean<?> checks = context.getBean("allinoneApiRequestFilter", FilterRegistrationBean.class);
            assertThat(checks.getUrlPatterns()).containsExactly("/api/*");
        });
    }

    @Test
    void replacingTheLocalModelIsExplicitABeanOfItsName() {
        host.withBean(EngineChatModelAutoConfiguration.CHAT_MODEL, ChatModel.class, HostModel::model).run(context -> {
            assertThat(context.getBean(EngineChatModelAutoConfiguration.CHAT_MODEL)).isNotInstanceOf(EngineChatModel.class);
            assertThat(context.getBean(SentimentAnalyst.class)).isNotNull();
        });
    }

    @Test
    void withoutRedisActuatorAndJlamaOnTheClasspathTheDefaultsStillRun() {
        host.withClassLoader(new FilteredClassLoader(name -> name.startsWith(JLAMA)
                        || name.equals(StringRedisTemplate.class.getName()) || name.equals(HealthIndicator.class.getName())))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(LocalEngine.class)
                            .doesNotHaveBean(ModelHealthIndicator.class);
                    assertThat(context.getBean(LocalEngine.class).kernels()).doesNotContainIgnoringCase("jlama");
                });
    }

    @Test
    void jlamaKernelsWithoutJlamaOnTheClasspathFailWithTheMissingDependencyNamed() {
        host.withClassLoader(new FilteredClassLoader(JLAMA))
                .withPropertyValues("allinone.engine.kernels=jlama").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isInstanceOf(EngineSetupException.class)
                            .hasMessageContaining("jlama-core");
                });
    }

    @Test
    void anEngineSettingUnderItsOldNameStopsStartupSayingWhereItMoved() {
        host.withPropertyValues("allinone.model.weight-format=q8").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(EngineSetupException.class)
                    .hasMessageContaining("weight-format");
            assertThat(((EngineSetupException) org.assertj.core.util.Throwables.getRootCause(context.getStartupFailure()))
                    .action()).contains("allinone.engine.weight-format");
        });
    }

    @Test
    void eachApplicationGetsItsOwnConversationFile() {
        ConversationProperties unset = new ConversationProperties(ConversationProperties.Store.SQLITE, null, "allinone:",
                10, java.time.Duration.ofHours(1), 10);
        Path home = Path.of(System.getProperty("user.home"));
        assertThat(unset.sqliteFileOrDefault("helpdesk")).isEqualTo(home.resolve(".allinone/helpdesk/conversations.db"));
        assertThat(unset.sqliteFileOrDefault("shop")).isNotEqualTo(unset.sqliteFileOrDefault("helpdesk"));
        assertThat(unset.sqliteFileOrDefault(null)).isEqualTo(Path.of(".allinone/conversations.db").toAbsolutePath());
    }

    record Injected(ChatModel model) {
    }

    /** A host component that asks for a {@code ChatModel} by type alone. */
    @Configuration(proxyBeanMethods = false)
    static class HostInjection {
        @Bean
        Injected injected(ChatModel model) {
            return new Injected(model);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class HostModel {
        static int calls;

        @Bean
        ChatModel openAiChatModel() {
            return model();
        }

        static ChatModel model() {
            return new ChatModel() {
                @Override
                public ChatResponse doChat(ChatRequest request) {
                    calls++;
                    return ChatResponse.builder().aiMessage(AiMessage.from("{\"value\":\"POSITIVE\"}")).build();
                }
            };
        }
    }
}
