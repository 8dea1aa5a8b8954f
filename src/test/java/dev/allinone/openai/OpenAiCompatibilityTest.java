package dev.allinone.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.allinone.AllInOneApplication;
import dev.allinone.sentiment.Sentiment;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.testing.Http;
import dev.allinone.testing.ShopTools;
import dev.allinone.testing.Streamed;
import dev.allinone.testing.TestModels;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenAI-compatible API, used by a real OpenAI client: LangChain4j's {@code OpenAiChatModel} and
 * {@code OpenAiStreamingChatModel} pointed at the running service; and what every OpenAI client relies on
 * byte for byte (SSE framing, the model by id, OpenAI's error object on every error). The OpenAI Node SDK and
 * Spring AI have tests of their own ({@link OpenAiNodeSdkTest}, {@link SpringAiClientTest}).
 */
@SpringBootTest(classes = AllInOneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"allinone.model.offline=true", "allinone.engine.max-new-tokens=24"})
class OpenAiCompatibilityTest {

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) {
        registry.add("allinone.model.models-dir", () -> TestModels.tiny().toString());
    }

    @LocalServerPort
    int port;

    private String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    private OpenAiChatModel.OpenAiChatModelBuilder client() {
        return OpenAiChatModel.builder().baseUrl(baseUrl()).apiKey("not-needed").modelName(TestModels.MODEL_ID)
                .timeout(Duration.ofSeconds(60));
    }

    @Test
    void aBlockingCompletionHonoursMaxTokensTemperatureAndStop() {
        OpenAiChatModel model = client().temperature(0.0).maxTokens(5).build();
        ChatResponse first = model.chat(ChatRequest.builder()
                .messages(SystemMessage.from("Be brief."), UserMessage.from("你好, how are you?")).build());
        assertThat(first.aiMessage().text()).isNotNull();
        assertThat(first.tokenUsage().outputTokenCount()).isEqualTo(5);
        assertThat(first.tokenUsage().inputTokenCount()).isGreaterThan(10);
        assertThat(first.finishReason()).isEqualTo(FinishReason.LENGTH);
        // Greedy: the same again.
        assertThat(model.chat(ChatRequest.builder().messages(SystemMessage.from("Be brief."),
                UserMessage.from("你好, how are you?")).build()).aiMessage().text()).isEqualTo(first.aiMessage().text());
    }

    @Test
    void stopSequencesCutTheAnswerAndATinyTopPSamplesOnlyTheLikeliestToken() {
        // Greedy, with a presence penalty so that the random test weights do not repeat one token.
        String prompt = "你好, how are you?";
        String greedy = client().temperature(0.0).presencePenalty(2.0).maxTokens(24).build().chat(prompt);
        assertThat(greedy.strip().length()).isGreaterThan(6);
        String stop = greedy.strip().substring(3, 6);
        int cut = greedy.indexOf(stop);

        ChatResponse stopped = client().temperature(0.0).presencePenalty(2.0).maxTokens(24).stop(List.of(stop)).build()
                .chat(ChatRequest.builder().messages(UserMessage.from(prompt)).build());
        assertThat(stopped.aiMessage().text()).isEqualTo(greedy.substring(0, cut));
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);

        // top_p keeps the smallest set of tokens whose probabilities reach p: with p tiny, only the likeliest.
        assertThat(client().temperature(1.5).topP(1e-6).presencePenalty(2.0).maxTokens(24).build().chat(prompt))
                .isEqualTo(greedy);
    }

    @Test
    void streamingDeliversTheSameAnswerInChunks() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("not-needed")
                .modelName(TestModels.MODEL_ID).temperature(0.0).maxTokens(8).timeout(Duration.ofSeconds(60)).build();
        Streamed streamed = Streamed.from(model, ChatRequest.builder().messages(UserMessage.from("讲一个笑话")).build());
        List<String> parts = streamed.deltas();
        ChatResponse response = streamed.response();
        assertThat(parts).isNotEmpty();
        assertThat(String.join("", parts)).isEqualTo(response.aiMessage().text());
        String blocking = client().temperature(0.0).maxTokens(8).build().chat("讲一个笑话");
        assertThat(response.aiMessage().text()).isEqualTo(blocking);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(8);
    }

    @Test
    void anEnumReturningAiServiceGetsAValidAnswerThroughJsonSchema() {
        OpenAiChatModel model = client().supportedCapabilities(Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA))
                .strictJsonSchema(true).build();
        SentimentAnalyst analyst = AiServices.create(SentimentAnalyst.class, model);
        for (String text : List.of("Great, thanks!", "糟糕透了", "Where is my order?")) {
            // The answer as it crossed /v1: exactly the schema's JSON, one of the labels.
            assertThat(analyst.analyzeWithDetails(text).finalResponse().aiMessage().text())
                    .matches("\\{\"value\":\"(POSITIVE|NEGATIVE|NEUTRAL)\"}");
        }
    }

    record Item(String sku, int quantity, boolean gift) {
    }

    record Order(List<String> orderNumbers, List<Item> items, SentimentLabel mood, double total) {
    }

    enum SentimentLabel { POSITIVE, NEGATIVE, NEUTRAL }

    interface OrderReader {
        Order read(String message);
    }

    @Test
    void aRecordReturningAiServiceGetsAValidRecordThroughJsonSchemaBlockingAndStreamed() throws Exception {
        OpenAiChatModel model = client().supportedCapabilities(Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA))
                .strictJsonSchema(true).temperature(1.0).maxTokens(60).build();
        OrderReader reader = AiServices.create(OrderReader.class, model);
        for (String text : List.of("Order #A-12: two mugs, one as a gift. 😊", "订单 558201 少了一件")) {
            Order order = reader.read(text);
            // Parsed by LangChain4j into the record: every field there (strict mode), the enum one of its values.
            assertThat(order).isNotNull();
        }
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("not-needed")
                .modelName(TestModels.MODEL_ID).strictJsonSchema(true).temperature(1.0).maxTokens(60)
                .timeout(Duration.ofSeconds(60)).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Order #A-12, two mugs"))
                .responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.builder()
                        .type(dev.langchain4j.model.chat.request.ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder().name("order").rootElement(
                                dev.langchain4j.internal.JsonSchemaElementUtils.jsonSchemaElementFrom(Order.class)).build())
                        .build()).build();
        Streamed streamed = Streamed.from(streaming, request);
        String text = String.join("", streamed.deltas());
        assertThat(text).isEqualTo(streamed.response().aiMessage().text()).startsWith("{\"orderNumbers\":");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(
                readTree(text), Order.class)).isNotNull();
    }

    private static JsonNode readTree(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Test
    void theModelListAndErrorsLookLikeOpenAis() throws Exception {
        Http http = new Http(port);
        Http.Response models = http.get("/v1/models");
        assertThat(models.status()).isEqualTo(200);
        assertThat(models.json().get("data").get(0).get("id").asText()).isEqualTo(TestModels.MODEL_ID);

        Http.Response badRole = http.post("/v1/chat/completions", Http.json(Map.of("model", "x",
                "messages", List.of(Map.of("role", "wizard", "content", "hi")))));
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.json().get("error").get("message").asText()).contains("role");
        assertThat(badRole.json().get("error").get("type").asText()).isEqualTo("invalid_request_error");

        Http.Response unsupported = http.post("/v1/chat/completions", Http.json(Map.of("model", "x",
                "messages", List.of(Map.of("role", "user", "content", "hi")),
                "response_format", Map.of("type", "json_schema", "json_schema", Map.of("name", "n", "schema",
                        Map.of("type", "string", "pattern", "^[0-9]+$"))))));
        assertThat(unsupported.status()).isEqualTo(400);
        assertThat(unsupported.json().get("error").get("message").asText()).contains("\"pattern\"");
        assertThat(unsupported.json().get("error").get("param").asText()).isEqualTo("response_format");

        Http.Response object = http.post("/v1/chat/completions", Http.json(Map.of("model", "x", "max_tokens", 24,
                "messages", List.of(Map.of("role", "user", "content", "hi")),
                "response_format", Map.of("type", "json_object"))));
        assertThat(object.status()).isEqualTo(200);
        String content = object.json().at("/choices/0/message/content").asText();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(content).isObject()).as(content).isTrue();

        Http.Response completion = http.post("/v1/chat/completions", Http.json(Map.of("model", "x", "temperature", 0,
                "max_tokens", 20, "messages", List.of(Map.of("role", "user", "content", "Count: one two three")))));
        assertThat(completion.status()).isEqualTo(200);
        assertThat(completion.json().get("object").asText()).isEqualTo("chat.completion");
        JsonNode usage = completion.json().get("usage");
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
    }

    private static final ResponseFormat SENTIMENT = ResponseFormat.builder().type(ResponseFormatType.JSON)
            .jsonSchema(JsonSchema.builder().name("sentiment").rootElement(JsonObjectSchema.builder()
                    .addProperty("sentiment", JsonEnumSchema.builder().enumValues("POSITIVE", "NEGATIVE", "NEUTRAL").build())
                    .required("sentiment").build()).build()).build();

    @Test
    void aJsonSchemaAnswerStreamsItsContentCountsItsTokensAndHonoursMaxTokens() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("I loved it!")).responseFormat(SENTIMENT).build();
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("not-needed")
                .modelName(TestModels.MODEL_ID).strictJsonSchema(true).returnThinking(false)
                .timeout(Duration.ofSeconds(60)).build();
        Streamed streamed = Streamed.from(streaming, request);
        String text = String.join("", streamed.deltas());
        assertThat(text).matches("\\{\"sentiment\":\"(POSITIVE|NEGATIVE|NEUTRAL)\"}");
        assertThat(streamed.response().aiMessage().text()).isEqualTo(text);
        assertThat(streamed.response().tokenUsage().outputTokenCount()).isPositive();

        ChatResponse blocking = client().strictJsonSchema(true).build().chat(request);
        assertThat(blocking.aiMessage().text()).matches("\\{\"sentiment\":\"(POSITIVE|NEGATIVE|NEUTRAL)\"}");
        assertThat(blocking.tokenUsage().outputTokenCount()).isPositive();
        assertThat(blocking.finishReason()).isEqualTo(FinishReason.STOP);

        // As OpenAI does: max_tokens cuts the JSON, and says so.
        ChatResponse cut = client().strictJsonSchema(true).maxTokens(2).build().chat(request);
        assertThat(cut.tokenUsage().outputTokenCount()).isEqualTo(2);
        assertThat(cut.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(blocking.aiMessage().text()).startsWith(cut.aiMessage().text());
    }

    interface Desk {
        @dev.langchain4j.service.SystemMessage("You help the customers of a shop. Look their orders up before answering.")
        Order answer(String message);
    }

    @Test
    void anAiServiceOnOpenAiChatModelCallsItsToolsAndGetsItsRecord() {
        OpenAiChatModel model = client().supportedCapabilities(Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA))
                .strictJsonSchema(true).temperature(1.0).maxTokens(60).build();
        ShopTools tools = new ShopTools();
        Desk desk = AiServices.builder(Desk.class).chatModel(model).tools(tools)
                .chatRequestTransformer(ShopTools::callFirst).build();
        for (String message : List.of("Where is order A-12? 😡", "订单 558201 坏了，我要退款")) {
            assertThat(desk.answer(message)).isNotNull();
        }
        assertThat(tools.calls()).hasSize(2).allMatch(c -> c.matches(ShopTools.BOUND));
    }

    @Test
    void aStreamedToolCallArrivesAsOpenAisToolCallsDelta() throws Exception {
        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("not-needed")
                .modelName(TestModels.MODEL_ID).temperature(1.0).maxTokens(60).timeout(Duration.ofSeconds(60)).build();
        List<dev.langchain4j.agent.tool.ToolSpecification> specs =
                dev.langchain4j.agent.tool.ToolSpecifications.toolSpecificationsFrom(ShopTools.class);
        for (int i = 0; i < 3; i++) {
            ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Refund order A-" + i + ", it broke"))
                    .toolSpecifications(specs).toolChoice(dev.langchain4j.model.chat.request.ToolChoice.REQUIRED).build();
            ChatResponse response = Streamed.from(streaming, request).response();
            var call = response.aiMessage().toolExecutionRequests();
            assertThat(call).hasSize(1);
            assertThat(call.getFirst().id()).startsWith("call_");
            // The arguments bind to the Java method, as LangChain4j's tool executor would bind them.
            ShopTools tools = new ShopTools();
            new dev.langchain4j.service.tool.DefaultToolExecutor(tools, call.getFirst()).execute(call.getFirst(), "memory");
            assertThat(tools.calls()).hasSize(1).allMatch(c -> c.matches(ShopTools.BOUND));
        }
    }

    @Test
    void functionCallingOverRawHttpIsOpenAisShape() throws Exception {
        Http http = new Http(port);
        Map<String, Object> lookup = Map.of("type", "function", "function", Map.of("name", "order_status",
                "description", "Where an order is", "parameters", Map.of("type", "object",
                        "properties", Map.of("order_id", Map.of("type", "string", "maxLength", 12)),
                        "required", List.of("order_id"), "additionalProperties", false)));
        Map<String, Object> weather = Map.of("type", "function", "function", Map.of("name", "weather",
                "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))));
        List<Object> user = List.of(Map.of("role", "user", "content", "Where is my parcel A-9?"));
        Http.Response named = http.post("/v1/chat/completions", Http.json(Map.of("model", "x", "temperature", 1.0,
                "max_tokens", 40, "messages", user, "tools", List.of(weather, lookup),
                "tool_choice", Map.of("type", "function", "function", Map.of("name", "order_status")))));
        assertThat(named.status()).isEqualTo(200);
        JsonNode message = named.json().at("/choices/0/message");
        assertThat(message.get("content").isNull()).isTrue();
        assertThat(named.json().at("/choices/0/finish_reason").asText()).isIn("tool_calls", "length");
        JsonNode call = message.at("/tool_calls/0");
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("order_status");
        JsonNode arguments = readTree(call.at("/function/arguments").asText());
        String id = arguments.get("order_id").asText();
        assertThat(id.codePointCount(0, id.length())).isLessThanOrEqualTo(12); // characters, as maxLength counts

        // The call and its result go back, and the model answers in text (tool_choice none).
        Http.Response answer = http.post("/v1/chat/completions", Http.json(Map.of("model", "x", "max_tokens", 8,
                "tools", List.of(weather, lookup), "tool_choice", "none",
                "messages", List.of(user.getFirst(),
                        Map.of("role", "assistant", "content", "", "tool_calls", List.of(Map.of("id", call.get("id").asText(),
                                "type", "function", "function", Map.of("name", "order_status",
                                        "arguments", call.at("/function/arguments").asText())))),
                        Map.of("role", "tool", "tool_call_id", call.get("id").asText(), "content", "Shipped yesterday")))));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().at("/choices/0/message/tool_calls").isMissingNode()).isTrue();
        assertThat(answer.json().at("/choices/0/finish_reason").asText()).isIn("stop", "length");

        // What the decoder cannot hold to, or no arguments satisfy, is refused before the model sees it.
        Map<String, Object> impossible = Map.of("type", "function", "function", Map.of("name", "code",
                "parameters", Map.of("type", "object", "properties", Map.of("code", Map.of("type", "string",
                        "minLength", 5, "maxLength", 2)))));
        Map<String, Object> patterned = Map.of("type", "function", "function", Map.of("name", "code",
                "parameters", Map.of("type", "object", "properties", Map.of("code", Map.of("type", "string",
                        "pattern", "^[A-Z]+$")))));
        for (var bad : List.of(
                Map.of("tools", List.of(lookup, impossible), "param", "tools[1].function.parameters", "says", "minLength"),
                Map.of("tools", List.of(patterned), "param", "tools[0].function.parameters", "says", "\"pattern\""),
                Map.of("tools", List.of(lookup), "tool_choice", Map.of("type", "function", "function", Map.of("name", "nope")),
                        "param", "tool_choice", "says", "nope"),
                Map.of("tools", List.of(lookup), "tool_choice", "always", "param", "tool_choice", "says", "always"))) {
            Map<String, Object> body = new java.util.HashMap<>(Map.of("model", "x", "messages", user, "tools", bad.get("tools")));
            if (bad.containsKey("tool_choice")) {
                body.put("tool_choice", bad.get("tool_choice"));
            }
            Http.Response refused = http.post("/v1/chat/completions", Http.json(body));
            assertThat(refused.status()).as(bad.toString()).isEqualTo(400);
            assertThat(refused.json().at("/error/param").asText()).isEqualTo(bad.get("param"));
            assertThat(refused.json().at("/error/message").asText()).contains((String) bad.get("says"));
        }
        Http.Response orphan = http.post("/v1/chat/completions", Http.json(Map.of("model", "x",
                "messages", List.of(user.getFirst(), Map.of("role", "tool", "content", "42")))));
        assertThat(orphan.status()).isEqualTo(400);
        assertThat(orphan.json().at("/error/param").asText()).isEqualTo("messages[1].tool_call_id");
    }

    @Test
    void outOfRangeParametersAreTheClientsMistakeNamedInTheError() {
        assertThatThrownBy(() -> client().temperature(-1.0).build().chat("hi"))
                .isInstanceOf(dev.langchain4j.exception.InvalidRequestException.class)
                .hasMessageContaining("\"param\":\"temperature\"");
        assertThatThrownBy(() -> client().topP(1.5).build().chat("hi"))
                .isInstanceOf(dev.langchain4j.exception.InvalidRequestException.class)
                .hasMessageContaining("\"param\":\"top_p\"");
    }

    @Test
    void streamsAreFramedAsOpenAisAreByteForByte() throws Exception {
        for (String[] call : List.of(
                new String[] {"/v1/chat/completions", Http.json(Map.of("model", "x", "stream", true, "max_tokens", 6,
                        "stream_options", Map.of("include_usage", true),
                        "messages", List.of(Map.of("role", "user", "content", "hi"))))},
                new String[] {"/api/chat/stream", Http.json(Map.of("message", "你好"))})) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + call[0]))
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(call[1])).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            List<String> lines = List.of(r.body().split("\n", -1));
            assertThat(lines).as(call[0]).allMatch(l -> l.isEmpty() || l.startsWith("data: ") || l.startsWith("event: "));
            assertThat(r.body()).as(call[0]).endsWith("\n\n");
            if (call[0].startsWith("/v1")) {
                assertThat(lines.stream().filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElseThrow()).isEqualTo("data: [DONE]");
            }
        }
    }

    @Test
    void aModelIsFoundByItsIdWithItsSlashEncodedOrNot() {
        Http http = new Http(port);
        for (String path : List.of("/v1/models/Qwen%2FQwen1.5-0.5B-Chat", "/v1/models/Qwen/Qwen1.5-0.5B-Chat")) {
            Http.Response r = http.get(path);
            assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
            assertThat(r.json().get("id").asText()).isEqualTo(TestModels.MODEL_ID);
            assertThat(r.json().get("object").asText()).isEqualTo("model");
        }
        Http.Response missing = http.get("/v1/models/gpt-4o");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().at("/error/param").asText()).isEqualTo("model");
    }

    @Test
    void everyErrorUnderV1CarriesOpenAisErrorObject() {
        Http http = new Http(port);
        List<Http.Response> errors = List.of(http.get("/v1/nope"), http.delete("/v1/chat/completions"),
                http.post("/v1/chat/completions", "hello", "text/plain"), http.post("/v1/chat/completions", "{"));
        assertThat(errors).extracting(Http.Response::status).containsExactly(404, 405, 415, 400);
        for (Http.Response r : errors) {
            assertThat(r.contentType()).startsWith("application/json");
            JsonNode error = r.json().get("error");
            assertThat(error).as(r.body()).isNotNull();
            assertThat(error.get("message").asText()).isNotBlank();
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.has("param")).isTrue();
            assertThat(error.get("code").asText()).isNotBlank();
        }
        assertThat(errors.get(1).header("Allow")).contains("POST");
    }
}
