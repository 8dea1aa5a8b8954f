package dev.allinone.engine.quality;

import java.util.List;
import java.util.stream.IntStream;

/**
 * A task whose answer is one of a few labels, checked by the quality report beside the logits: for each message,
 * whether the format picks the reference's label and how far the labels' probabilities move. A feature provides
 * its task ({@link Source}: a bean for the service, {@code META-INF/spring.factories} for the quality-report
 * command); the sentiment analyst provides its system prompt, labels and labelled messages. The labels are scored
 * as the engine serves them: one token per label, normalized over the labels.
 *
 * @param name     what the report calls the task ({@code sentiment})
 * @param system   the system message the task's AI service sends
 * @param choices  the labels, as the AI service's enum names them
 * @param messages the user messages to judge
 */
public record ChoiceCheck(String name, String system, List<String> choices, List<String> messages) {

    public ChoiceCheck {
        choices = List.copyOf(choices);
        messages = List.copyOf(messages);
    }

    /** Where a feature's check comes from. */
    @FunctionalInterface
    public interface Source {
        ChoiceCheck check();
    }

    /** {@code count} of the messages, spread evenly over the list (its labels and languages come in runs). */
    ChoiceCheck sample(int count) {
        if (count >= messages.size()) {
            return this;
        }
        return new ChoiceCheck(name, system, choices, IntStream.range(0, count)
                .mapToObj(i -> messages.get((int) ((long) i * messages.size() / count))).toList());
    }
}
