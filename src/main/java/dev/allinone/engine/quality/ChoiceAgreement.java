package dev.allinone.engine.quality;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link ChoiceCheck}'s result: the format's labels against the reference's.
 *
 * @param name                         the task ({@code sentiment})
 * @param messages                     messages judged by both
 * @param labelAgreement               share of messages where both pick the same label
 * @param largestProbabilityDifference the largest difference of one label's probability between the two, over
 *                                     every label of every message (0 to 1)
 */
public record ChoiceAgreement(String name, int messages, double labelAgreement, double largestProbabilityDifference) {

    Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("messages", messages);
        details.put("labelAgreement", labelAgreement);
        details.put("largestProbabilityDifference", largestProbabilityDifference);
        return details;
    }
}
