package dev.allinone.engine.actuator;

import dev.allinone.engine.LocalEngine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** The batch now: requests in it and requests waiting for a place (what queue-capacity limits). */
public class BatchGauges implements MeterBinder {

    private final LocalEngine engine;

    public BatchGauges(LocalEngine engine) {
        this.engine = engine;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("allinone.engine.batch.active", engine, LocalEngine::inBatch)
                .description("Requests in the batch (sharing the model's steps)").register(registry);
        Gauge.builder("allinone.engine.batch.waiting", engine, LocalEngine::waiting)
                .description("Requests waiting for a place in the batch").register(registry);
    }
}
