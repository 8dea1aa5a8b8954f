package dev.allinone.engine.constraint;

import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.testing.FaultyTransformers;
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestModels;
import dev.allinone.testing.TestProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real engine on the tiny checkpoint (random weights: the model itself knows nothing of JSON) answers under
 * each test schema 20 times at temperature 1.0, with budgets from a handful of tokens up: every answer is a valid
 * value of its schema, judged by {@link JsonOracle}. Only the token mask makes it so.
 */
class ConstrainedDecodingTest {

    private static final SamplingSettings HOT = new SamplingSettings(1.0, 1.0, 0, 1.0, 0, 0);
    private static final int[] BUDGETS = {3, 8, 16, 40};
    private static LocalEngine engine;

    @BeforeAll
    static void start() {
        engine = TestEngines.start(TestProperties.offline(TestModels.tiny()), TestProperties.engine());
    }

    @AfterAll
    static void stop() {
        engine.stop();
    }

    private static CompletableFuture<GenerationResult> answer(JsonSchema schema, int budget) {
        List<PromptEncoder.Message> messages = List.of(new PromptEncoder.Message("system", "Answer in JSON."),
                new PromptEncoder.Message("user", "My parcel 我的包裹 #A-1234 is late 😡, what now?"));
        return engine.generate(messages, new GenerationSettings(HOT, budget, List.of(), schema), TokenListener.NONE,
                RequestControl.unlimited());
    }

    @Test
    void everyAnswerUnderEverySchemaIsValidEvenWhenTheBudgetCutsIt() throws Exception {
        int answers = 0, cut = 0, refused = 0;
        List<String> failures = new ArrayList<>();
        for (JsonOracle.Case c : JsonOracle.cases()) {
            JsonSchema schema = c.name().equals("any object (json_object)") ? SchemaCompiler.anyObject()
                    : SchemaCompiler.compile(c.schema());
            List<CompletableFuture<GenerationResult>> running = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int budget = BUDGETS[i % BUDGETS.length];
                try {
                    running.add(answer(schema, budget));
                } catch (InvalidRequestException e) {
                    // Only a budget below the schema's shortest value is refused, and then before any work.
                    assertThat(e.param()).isEqualTo("max_tokens");
                    assertThat(budget).isLessThan(BUDGETS[BUDGETS.length - 1]);
                    refused++;
                }
            }
            for (CompletableFuture<GenerationResult> future : running) {
                GenerationResult r = future.get(120, TimeUnit.SECONDS);
                answers++;
                cut += r.finish() == GenerationResult.Finish.LENGTH ? 1 : 0;
                List<String> problems = JsonOracle.problems(c.schema(), r.text());
                if (!problems.isEmpty()) {
                    failures.add(c.name() + ": " + r.text() + " -> " + problems);
                }
            }
        }
        System.out.printf("%d answers (%d closed early by their budget), %d refused for a budget below the shortest value%n",
                answers, cut, refused);
        assertThat(failures).isEmpty();
        assertThat(answers).isGreaterThanOrEqualTo(31 * 15);
        assertThat(cut).as("budgets of 3 and 8 tokens cut most answers").isGreaterThan(50);
    }

    @Test
    void whatTheSchemaDecidesAloneIsAppendedWithoutSamplingInOneStep() throws Exception {
        FaultyTransformers counting = new FaultyTransformers(); // never armed: the real kernels, steps counted
        LocalEngine own = TestEngines.start(TestProperties.offline(TestModels.tiny()), TestProperties.engine(), counting);
        try {
            String value = "the parcel was lost somewhere between Shanghai and Berlin, 包裹丢了";
            JsonSchema one = SchemaCompiler.compile(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    "{\"type\":\"object\",\"properties\":{\"status\":{\"enum\":[\"" + value + "\"]}},"
                            + "\"required\":[\"status\"]}"));
            int before = counting.steps();
            GenerationResult r = own.generate(List.of(new PromptEncoder.Message("user", "Status?")),
                    new GenerationSettings(HOT, 80, List.of(), one), TokenListener.NONE, RequestControl.unlimited())
                    .get(60, TimeUnit.SECONDS);
            int steps = counting.steps() - before;
            assertThat(r.text()).isEqualTo("{\"status\":\"" + value + "\"}");
            assertThat(r.finish()).isEqualTo(GenerationResult.Finish.STOP);
            // The prompt, the first token with the rest of the value after it, then the end of turn: not one step
            // per token of the value.
            assertThat(r.outputTokens()).isGreaterThan(15);
            assertThat(steps).isLessThanOrEqualTo(3);
        } finally {
            own.stop();
        }
    }

    @Test
    void aBudgetBelowTheShortestValueIsRefusedBeforeAnyWork() throws Exception {
        JsonSchema ticket = SchemaCompiler.compile(new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"type":"object","properties":{"orderNumbers":{"type":"array","items":{"type":"string"}},
                 "summary":{"type":"string"}},"required":["orderNumbers","summary"]}"""));
        assertThatThrownBy(() -> answer(ticket, 2))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("max_tokens"))
                .hasMessageContaining("shortest answer");
    }
}
