package dev.allinone.engine.actuator;

import dev.allinone.engine.LocalEngine;
import dev.allinone.model.ModelStatus;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

import java.util.Locale;

/**
 * The model's health, part of the readiness group: OUT_OF_SERVICE while it is downloaded or
 * loaded (with the progress in the details), UP once it answers, DOWN if it failed or stopped.
 */
public class ModelHealthIndicator implements HealthIndicator {

    private final LocalEngine engine;

    public ModelHealthIndicator(LocalEngine engine) {
        this.engine = engine;
    }

    @Override
    public Health health() {
        ModelStatus.Snapshot s = engine.status();
        Health.Builder health = switch (s.phase()) {
            case READY -> Health.up();
            case FAILED, STOPPED -> Health.down();
            default -> Health.outOfService();
        };
        health.withDetail("model", engine.modelId())
                .withDetail("phase", s.phase().name().toLowerCase(Locale.ROOT))
                .withDetail("detail", s.detail());
        if (s.phase() == ModelStatus.Phase.DOWNLOADING) {
            health.withDetail("bytesDone", s.bytesDone());
            if (s.bytesTotal() >= 0) {
                health.withDetail("bytesTotal", s.bytesTotal())
                        .withDetail("percent", Math.round(s.percent() * 10) / 10.0);
            }
        }
        if (s.phase() == ModelStatus.Phase.READY) {
            health.withDetail("waiting", engine.waiting())
                    .withDetail("weights", engine.weightType())
                    .withDetail("weightsQuality", EngineInfoContributor.quality(engine))
                    .withDetail("kernels", engine.kernels())
                    .withDetail("vectorKernels", EngineInfoContributor.vectorKernels(engine.kernelCheck()))
                    .withDetail("memory", EngineInfoContributor.memory(engine));
        }
        return health.build();
    }
}
