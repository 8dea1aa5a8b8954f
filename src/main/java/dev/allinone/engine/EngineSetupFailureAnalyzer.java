package dev.allinone.engine;

import dev.allinone.engine.api.EngineSetupException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns an {@link EngineSetupException} into Spring Boot's short "APPLICATION FAILED TO START" report. */
class EngineSetupFailureAnalyzer extends AbstractFailureAnalyzer<EngineSetupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EngineSetupException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
