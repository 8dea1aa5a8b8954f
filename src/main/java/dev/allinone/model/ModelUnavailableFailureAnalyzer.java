package dev.allinone.model;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a missing model into Spring Boot's short "APPLICATION FAILED TO START" report, without a stack trace. */
class ModelUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<ModelUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ModelUnavailableException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
