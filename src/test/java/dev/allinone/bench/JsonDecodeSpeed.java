package dev.allinone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.SamplingSettings;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.constraint.JsonSchema;
import dev.allinone.engine.constraint.SchemaCompiler;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.engine.tools.ToolCallSyntax;
import dev.allinone.engine.tools.ToolDefinition;
import dev.allinone.engine.tools.ToolUse;
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestProperties;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decode speed with and without a JSON schema on one model (the engine alone, Q4): {@code JsonDecodeSpeed
 * <modelsDir>}. Alternates 64-token answers (temperature 1) free, under a ticket-shaped schema, as a required
 * tool call, and as text or a call, and prints the median decode tok/s of each, counting every token of the
 * answer (forced ones included).
 */
public final class JsonDecodeSpeed {

    public static void main(String[] args) throws Exception {
        LocalEngine engine = TestEngines.start(TestProperties.offline(Path.of(args[0])), TestProperties.engine());
        JsonSchema ticket = SchemaCompiler.compile(new ObjectMapper().readTree("""
                {"type":"object","properties":{"orderNumbers":{"type":"array","items":{"type":"string"}},
                 "urgency":{"enum":["LOW","NORMAL","HIGH","URGENT"]},"refund":{"type":"boolean"},
                 "summary":{"type":"string"}},"required":["orderNumbers","urgency","refund","summary"]}"""));
        SamplingSettings hot = new SamplingSettings(1.0, 1.0, 0, 1.0, 0, 0);
        ObjectMapper json = new ObjectMapper();
        List<ToolDefinition> tools = List.of(
                new ToolDefinition("order_status", "Where an order is", json.readTree(
                        "{\"type\":\"object\",\"properties\":{\"orderId\":{\"type\":\"string\"}},\"required\":[\"orderId\"]}")),
                new ToolDefinition("refund", "Refunds part of an order", json.readTree("""
                        {"type":"object","properties":{"orderId":{"type":"string"},"amountCents":{"type":"integer"},
                         "reason":{"enum":["DAMAGED","LATE","WRONG_ITEM"]},"note":{"type":"string"}},
                         "required":["orderId","amountCents","reason","note"]}""")),
                new ToolDefinition("today", "Today's date", null));
        // The same prompt (the tools in the system message) for every mode: only the decoding differs.
        List<PromptEncoder.Message> messages = List.of(
                new PromptEncoder.Message("system", ToolCallSyntax.system("File the ticket.", tools)),
                new PromptEncoder.Message("user", "Order #A-1234 arrived broken, 我要退款!"));
        JsonSchema calls = ToolCallSyntax.callSchema(new ToolUse(tools, ToolUse.Mode.REQUIRED, null));
        String[] names = {"free text", "under a JSON schema", "a tool call (required)", "text or a call (auto)"};
        GenerationSettings[] modes = {
                new GenerationSettings(hot, 64, List.of()),
                new GenerationSettings(hot, 64, List.of(), ticket),
                new GenerationSettings(hot, 64, List.of(), calls),
                new GenerationSettings(hot, 64, List.of(), calls, true)};
        List<List<Double>> speeds = new ArrayList<>();
        for (int i = 0; i < modes.length; i++) {
            speeds.add(new ArrayList<>());
        }
        for (int run = 0; run < 9; run++) {
            for (int i = 0; i < modes.length; i++) {
                GenerationResult r = engine.generate(messages, modes[i], TokenListener.NONE, RequestControl.unlimited()).get();
                if (run > 0 && r.outputTokens() > 8) {
                    speeds.get(i).add(r.timings().decodeTokensPerSecond(r.outputTokens()));
                }
            }
        }
        double free = Stats.median(speeds.getFirst());
        for (int i = 0; i < modes.length; i++) {
            double m = Stats.median(speeds.get(i));
            System.out.printf("RESULT decode %s %.1f tok/s (%d runs): %.2f× free%n", names[i], m, speeds.get(i).size(), m / free);
        }
        engine.stop();
        System.exit(0);
    }
}
