package dev.allinone.engine.constraint;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The byte-level matcher, on its own: any walk through the bytes it allows, closed by its shortest completion,
 * is a valid value of the schema (judged by {@link JsonOracle}); bytes that would break the value are refused;
 * keywords it cannot guarantee are refused by name.
 */
class JsonMatcherTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonOracle.Case> cases() {
        return JsonOracle.cases();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyAllowedWalkClosedByItsCompletionIsAValidValue(JsonOracle.Case c) {
        JsonSchema schema = SchemaCompiler.compile(c.schema());
        SplittableRandom random = new SplittableRandom(c.name().hashCode());
        // Printable ASCII, the JSON punctuation, and bytes of 中, ü and 😀 (multi-byte UTF-8) to choose from.
        int[] alphabet = bytesOf("{}[]\",:-.0123456789eE+truefalsnabcxyzdDF\\/中ü😀 \t\n\u0001");
        for (int walk = 0; walk < 40; walk++) {
            JsonMatcher m = schema.start();
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            int length = random.nextInt(60);
            for (int i = 0; i < length && !m.finished(); i++) {
                List<Integer> options = new ArrayList<>();
                for (int b = 0; b < 256; b++) {
                    if (m.feed(b) != null) {
                        options.add(b);
                    }
                }
                if (options.isEmpty()) { // a number at its most digits, say
                    assertThat(m.complete()).as("no way on after %s", written).isTrue();
                    break;
                }
                // Prefer the alphabet's bytes, so that walks reach deep into the value.
                List<Integer> preferred = options.stream().filter(o -> contains(alphabet, o)).toList();
                List<Integer> from = preferred.isEmpty() || random.nextInt(10) == 0 ? options : preferred;
                int b = from.get(random.nextInt(from.size()));
                m = m.feed(b);
                written.write(b);
            }
            byte[] completion = m.completion();
            JsonMatcher end = m.feed(completion);
            assertThat(end).as("completion %s after %s", new String(completion, StandardCharsets.UTF_8), written).isNotNull();
            assertThat(end.complete()).isTrue();
            written.writeBytes(completion);
            String text = written.toString(StandardCharsets.UTF_8);
            assertThat(JsonOracle.problems(c.schema(), text)).as(text).isEmpty();
        }
    }

    @Test
    void refusesWhatWouldBreakTheValue() throws Exception {
        JsonSchema person = SchemaCompiler.compile(JSON.readTree("""
                {"type":"object","properties":{"name":{"type":"string","maxLength":3},"age":{"type":"integer"}},
                 "required":["name"],"additionalProperties":false}"""));
        assertThat(accepts(person, "{\"name\":\"Bo\",\"age\":41}")).isTrue();
        assertThat(accepts(person, "{\"name\":\"Bob\"}")).isTrue();
        assertThat(person.start().feed(bytes("{\"name\":\"Bob")).complete()).isFalse();
        assertThat(person.start().feed(bytes("{ "))).as("whitespace").isNull();
        assertThat(person.start().feed(bytes("{\"age\""))).as("a required property skipped").isNull();
        assertThat(person.start().feed(bytes("{\"name\":\"Bob\",\"x\""))).as("an unknown property").isNull();
        assertThat(person.start().feed(bytes("{\"name\":\"Bobby"))).as("past maxLength").isNull();
        assertThat(person.start().feed(bytes("{\"name\":\"Bo\",\"age\":4.5"))).as("a fraction in an integer").isNull();
        assertThat(person.start().feed(bytes("{\"name\":\"\u0001"))).as("a control character").isNull();
        assertThat(person.start().feed(bytes("{\"name\":\"\\ud800"))).as("half a surrogate pair").isNull();
        assertThat(person.start().feed(new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0x80}))
                .as("an overlong UTF-8 form").isNull();
        assertThat(new String(person.start().feed(bytes("{\"name\":\"B")).completion(), StandardCharsets.UTF_8)).isEqualTo("\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pattern", "minimum", "format", "oneOf", "allOf", "uniqueItems"})
    void refusesKeywordsItCannotGuaranteeByName(String keyword) throws Exception {
        String schema = switch (keyword) {
            case "pattern" -> "{\"type\":\"string\",\"pattern\":\"^[0-9]+$\"}";
            case "minimum" -> "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}}}";
            case "format" -> "{\"type\":\"string\",\"format\":\"email\"}";
            case "oneOf" -> "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}";
            case "allOf" -> "{\"allOf\":[{\"type\":\"string\"}]}";
            default -> "{\"type\":\"array\",\"uniqueItems\":true}";
        };
        assertThatThrownBy(() -> SchemaCompiler.compile(JSON.readTree(schema)))
                .isInstanceOfSatisfying(UnsupportedSchemaException.class, e -> assertThat(e.keyword()).isEqualTo(keyword))
                .hasMessageContaining("\"" + keyword + "\"");
    }

    private static boolean accepts(JsonSchema schema, String text) {
        JsonMatcher m = schema.start().feed(bytes(text));
        return m != null && m.complete();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int[] bytesOf(String text) {
        byte[] b = bytes(text);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
