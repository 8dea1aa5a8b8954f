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
import dev.allinone.testing.TestEngines;
import dev.allinone.testing.TestProperties;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decode speed with and without a JSON schema on one model (the engine alone, Q4): {@code JsonDecodeSpeed
 * <modelsDir>}. Alternates 64-token answers free and under a ticket-shaped schema (temperature 1), and prints
 * the median decode tok/s of each, counting every token of the answer (forced ones included).
 */
public final class JsonDecodeSpeed {

    public static void main(String[] args) throws Exception {
        LocalEngine engine = TestEngines.start(TestProperties.offline(Path.of(args[0])), TestProperties.engine());
        JsonSchema ticket = SchemaCompiler.compile(new ObjectMapper().readTree("""
                {"type":"object","properties":{"orderNumbers":{"type":"array","items":{"type":"string"}},
                 "urgency":{"enum":["LOW","NORMAL","HIGH","URGENT"]},"refund":{"type":"boolean"},
                 "summary":{"type":"string"}},"required":["orderNumbers","urgency","refund","summary"]}"""));
        SamplingSettings hot = new SamplingSettings(1.0, 1.0, 0, 1.0, 0, 0);
        List<PromptEncoder.Message> messages = List.of(new PromptEncoder.Message("system", "File the ticket."),
                new PromptEncoder.Message("user", "Order #A-1234 arrived broken, 我要退款!"));
        List<Double> free = new ArrayList<>(), constrained = new ArrayList<>();
        for (int run = 0; run < 9; run++) {
            for (JsonSchema schema : new JsonSchema[] {null, ticket}) {
                GenerationResult r = engine.generate(messages, new GenerationSettings(hot, 64, List.of(), schema),
                        TokenListener.NONE, RequestControl.unlimited()).get();
                if (run > 0 && r.outputTokens() > 8) {
                    (schema == null ? free : constrained).add(r.timings().decodeTokensPerSecond(r.outputTokens()));
                }
            }
        }
        double a = Stats.median(free), b = Stats.median(constrained);
        System.out.printf("RESULT decode free %.1f tok/s (%d runs), under a JSON schema %.1f tok/s (%d runs): %.2f×%n",
                a, free.size(), b, constrained.size(), b / a);
        engine.stop();
        System.exit(0);
    }
}
