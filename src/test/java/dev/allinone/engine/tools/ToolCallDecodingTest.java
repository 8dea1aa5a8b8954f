package dev.allinone.engine.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.constraint.JsonConstraint;
import dev.allinone.engine.constraint.JsonOracle;
import dev.allinone.engine.constraint.JsonSchema;
import dev.allinone.engine.constraint.TokenMask;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tool calls held by the decoder: the real engine on the tiny checkpoint (random weights) must call a tool
 * (REQUIRED) with every object schema of the test set as some tool's parameters; every call names one of the
 * tools and its arguments are valid for that tool, judged by {@link JsonOracle}. And the choice between text and
 * a call (AUTO) driven by a picker that starts calls half the time: a call is always a valid one.
 */
class ToolCallDecodingTest {

    private static final SamplingSettings HOT = new SamplingSettings(1.0, 1.0, 0, 1.0, 0, 0);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LocalEngine engine = TestEngines.shared();

    /** Every object-shaped schema of the test set, as the parameters of a tool each. */
    private static List<ToolDefinition> tools() {
        List<ToolDefinition> tools = new ArrayList<>();
        for (JsonOracle.Case c : JsonOracle.cases()) {
            ToolDefinition tool = new ToolDefinition("tool_" + tools.size(), c.name(), c.schema());
            try {
                if (ToolCallSyntax.arguments(tool).isObject()) {
                    tools.add(tool);
                }
            } catch (InvalidRequestException notAnObject) {
                // strings, arrays, ... are no tool's parameters
            }
        }
        return tools;
    }

    private static List<PromptEncoder.Message> conversation(List<ToolDefinition> tools) {
        return List.of(new PromptEncoder.Message("system", ToolCallSyntax.system("You help customers.", tools)),
                new PromptEncoder.Message("user", "Where is my parcel 我的包裹 #A-1234? 😡"));
    }

    @Test
    void aRequiredCallNamesOneOfTheToolsWithArgumentsValidForIt() throws Exception {
        List<ToolDefinition> tools = tools();
        assertThat(tools.size()).isGreaterThanOrEqualTo(12);
        List<String> failures = new ArrayList<>();
        Set<String> called = new java.util.HashSet<>();
        for (String only : new String[]{null, "tool_2"}) {
            ToolUse use = new ToolUse(tools, ToolUse.Mode.REQUIRED, only);
            JsonSchema calls = ToolCallSyntax.callSchema(use);
            List<CompletableFuture<GenerationResult>> running = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int budget = new int[]{24, 48, 96}[i % 3];
                running.add(engine.generate(conversation(tools), new GenerationSettings(HOT, budget, List.of(), calls),
                        TokenListener.NONE, RequestControl.unlimited()));
            }
            for (CompletableFuture<GenerationResult> future : running) {
                String text = future.get(120, TimeUnit.SECONDS).text();
                Optional<ToolCall> call = ToolCallSyntax.parse(text);
                if (call.isEmpty()) {
                    failures.add("not a call: " + text);
                    continue;
                }
                called.add(call.get().name());
                if (only != null && !call.get().name().equals(only)) {
                    failures.add("not the chosen tool: " + text);
                }
                ToolDefinition tool = tools.stream().filter(t -> t.name().equals(call.get().name())).findFirst().orElse(null);
                if (tool == null) {
                    failures.add("no such tool: " + text);
                    continue;
                }
                List<String> problems = JsonOracle.problems(tool.parameters(), call.get().arguments());
                if (!problems.isEmpty()) {
                    failures.add(tool.description() + ": " + call.get().arguments() + " -> " + problems);
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(called.size()).as("calls spread over the tools").isGreaterThan(3);
    }

    @Test
    void textOrACallIsAlwaysTextThatLeftTheOpeningOrAValidCall() throws Exception {
        List<ToolDefinition> tools = tools();
        JsonSchema calls = ToolCallSyntax.callSchema(new ToolUse(tools, ToolUse.Mode.AUTO, null));
        TokenMask mask = TokenMask.of(TestModels.directory(TestModels.tiny()).path().resolve("tokenizer.json"), 151_646);
        byte[] opening = ToolCallSyntax.OPENING.getBytes(StandardCharsets.UTF_8);
        int end = 151_645; // <|im_end|>
        Random random = new Random(7);
        int texts = 0, callsMade = 0;
        for (int run = 0; run < 60; run++) {
            boolean callFirst = run % 2 == 0;
            JsonConstraint constraint = new JsonConstraint(calls, mask, Set.of(end), true);
            StringBuilder bytes = new StringBuilder();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int budget = 24 + random.nextInt(80);
            for (int step = 0; step < budget; step++) {
                float[] logits = new float[151_936];
                constraint.restrict(logits);
                BitSet allowed = new BitSet();
                for (int t = 0; t < logits.length; t++) {
                    if (logits[t] == 0) {
                        allowed.set(t);
                    }
                }
                int token = pick(allowed, mask, out.toByteArray(), opening, callFirst, random);
                token = constraint.next(token, budget - step);
                if (token == end) {
                    break;
                }
                constraint.accept(token);
                out.writeBytes(mask.bytes(token));
                int[] stretch = constraint.stretch(budget - step - 1);
                for (int forced : stretch) {
                    constraint.accept(forced);
                    out.writeBytes(mask.bytes(forced));
                }
                step += stretch.length;
                if (constraint.finished()) {
                    break;
                }
            }
            String text = out.toString(StandardCharsets.UTF_8);
            if (constraint.text() || constraint.undecided()) {
                texts++;
                assertThat(text).doesNotStartWith(ToolCallSyntax.OPENING);
            } else {
                callsMade++;
                ToolCall call = ToolCallSyntax.parse(text).orElseThrow(() -> new AssertionError("not a call: " + text));
                JsonNode parameters = tools.stream().filter(t -> t.name().equals(call.name())).findFirst().orElseThrow()
                        .parameters();
                assertThat(JsonOracle.problems(parameters, call.arguments())).as(text).isEmpty();
            }
        }
        assertThat(texts).isGreaterThanOrEqualTo(25);
        assertThat(callsMade).isGreaterThanOrEqualTo(25);
    }

    /**
     * A stand-in for a model that calls tools in half of its answers: in those, tokens that go on with the opening
     * while there are any; in the others, any allowed token, at random.
     */
    private static int pick(BitSet allowed, TokenMask mask, byte[] so, byte[] opening, boolean callFirst, Random random) {
        List<Integer> onward = new ArrayList<>(), other = new ArrayList<>();
        for (int t = allowed.nextSetBit(0); t >= 0; t = allowed.nextSetBit(t + 1)) {
            byte[] b = mask.bytes(t);
            if (b != null && continues(so, b, opening)) {
                onward.add(t);
            } else {
                other.add(t);
            }
        }
        boolean opened = so.length >= opening.length;
        if (!onward.isEmpty() && (opened || callFirst || other.isEmpty())) {
            return onward.get(random.nextInt(onward.size()));
        }
        return other.get(random.nextInt(other.size()));
    }

    /** Whether {@code so + token} is still a beginning of the opening, or starts with all of it. */
    private static boolean continues(byte[] so, byte[] token, byte[] opening) {
        for (int i = 0; i < token.length && so.length + i < opening.length; i++) {
            if (so.length < opening.length && token[i] != opening[so.length + i]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void toolSchemasThatCannotBeMetAreRefusedNamingTheTool() throws Exception {
        for (String parameters : List.of(
                "{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\",\"pattern\":\"^[A-Z]+$\"}}}",
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"string\",\"minLength\":5,\"maxLength\":2}}}",
                "{\"type\":\"object\",\"properties\":{},\"required\":[\"id\"]}",
                "{\"type\":\"object\",\"properties\":{\"x\":false},\"required\":[\"x\"]}",
                "{\"$defs\":{\"n\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/n\"}},\"required\":[\"next\"]}},"
                        + "\"$ref\":\"#/$defs/n\"}",
                "{\"type\":\"string\"}")) {
            ToolDefinition tool = new ToolDefinition("lookup", null, JSON.readTree(parameters));
            assertThatThrownBy(() -> ToolCallSyntax.callSchema(new ToolUse(List.of(tool), ToolUse.Mode.REQUIRED, null)))
                    .as(parameters).isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("Tool 'lookup': ");
        }
        ToolDefinition tool = new ToolDefinition("lookup", null, null);
        assertThatThrownBy(() -> ToolCallSyntax.callSchema(new ToolUse(List.of(tool), ToolUse.Mode.REQUIRED, "other")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'other'");
    }
}
