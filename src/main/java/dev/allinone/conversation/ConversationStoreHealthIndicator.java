package dev.allinone.conversation;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** Whether the conversation store answers: part of readiness, since no turn can be kept without it. */
public class ConversationStoreHealthIndicator implements HealthIndicator {

    private final ConversationRepository repository;

    public ConversationStoreHealthIndicator(ConversationRepository repository) {
        this.repository = repository;
    }

    @Override
    public Health health() {
        Health.Builder health;
        try {
            repository.check();
            health = Health.up().withDetail("conversations", repository.count());
            String durability = repository.durability();
            if (durability != null) {
                health.withDetail("durability", durability);
            }
        } catch (RuntimeException e) {
            health = Health.down().withDetail("error", e.getMessage());
        }
        return health.withDetail("store", repository.getClass().getSimpleName()).build();
    }
}
