package dev.allinone.engine.text;

import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Streaming text: whole characters only, and stop sequences never leak into what was sent. */
class StreamingTextTest {

    private static HfTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TestModels.tokenizer();
    }

    @Test
    void neverSplitsAChineseCharacterOrAnEmojiAcrossDeltas() {
        String text = "你好，世界！我想在apple工作1314151天～ 🦙🚀 😶‍🌫️ Cửa Việt";
        int[] ids = tokenizer.encode(text);
        StreamingDetokenizer detokenizer = new StreamingDetokenizer(tokenizer);
        List<String> deltas = new ArrayList<>();
        for (int id : ids) {
            String delta = detokenizer.push(id);
            if (!delta.isEmpty()) {
                deltas.add(delta);
            }
        }
        deltas.add(detokenizer.flush());
        assertThat(String.join("", deltas)).isEqualTo(text);
        for (String delta : deltas) {
            assertThat(delta).doesNotContain("\uFFFD");
            if (!delta.isEmpty()) {
                assertThat(Character.isLowSurrogate(delta.charAt(0))).as("delta starts mid-emoji: %s", delta).isFalse();
                assertThat(Character.isHighSurrogate(delta.charAt(delta.length() - 1))).isFalse();
            }
        }
        // Some characters really are split over tokens here, or this test would prove nothing.
        assertThat(ids.length).isGreaterThan(deltas.size() - 1);
    }

    @Test
    void stopSequenceIsCutAndItsBeginningNeverReleased() {
        StopSequenceFilter filter = new StopSequenceFilter(List.of("END", "###"));
        StringBuilder sent = new StringBuilder();
        for (String delta : List.of("Hello ", "wor", "ld E", "N", "D and more")) {
            sent.append(filter.offer(delta));
            assertThat(sent.toString()).doesNotContain("E", "EN");
        }
        assertThat(filter.stopped()).isTrue();
        assertThat(sent.toString()).isEqualTo("Hello world ");
        assertThat(filter.released()).isEqualTo("Hello world ");
    }

    @Test
    void heldBackTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopSequenceFilter filter = new StopSequenceFilter(List.of("</answer>"));
        StringBuilder sent = new StringBuilder();
        sent.append(filter.offer("a </ans"));
        assertThat(sent.toString()).isEqualTo("a ");
        sent.append(filter.offer("wering"));
        sent.append(filter.finish());
        assertThat(sent.toString()).isEqualTo("a </answering");
        assertThat(filter.stopped()).isFalse();
    }

    @Test
    void holdingBackNeverSplitsASurrogatePair() {
        StopSequenceFilter filter = new StopSequenceFilter(List.of("\uDE00x"));
        String out = filter.offer("ok 😀");
        assertThat(out).isEqualTo("ok ");
        assertThat(filter.finish()).isEqualTo("😀");
    }
}
