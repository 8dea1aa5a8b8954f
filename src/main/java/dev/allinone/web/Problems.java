package dev.allinone.web;

import dev.allinone.companion.ConversationChangedException;
import dev.allinone.companion.ConversationNotFoundException;
import dev.allinone.conversation.ConversationStoreException;
import dev.allinone.security.UnauthorizedException;
import dev.allinone.engine.DeadlineExceededException;
import dev.allinone.engine.EngineBusyException;
import dev.allinone.engine.ModelNotReadyException;
import dev.allinone.engine.PromptTooLongException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;

/**
 * The API's errors as RFC 9457 problem details with the right status and a message a client can act on,
 * never a stack trace; and a count of refused requests by cause ({@code allinone.api.rejected}). Used by the
 * exception handlers and, for errors after a stream started, by the SSE writers.
 *
 * <p>Every problem also carries OpenAI's error object ({@code "error": {"message", "type", "code"}}), which
 * OpenAI client libraries read; RFC 9457 clients see an extension member.
 */
public class Problems {

    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    private final ObjectProvider<MeterRegistry> meters;

    public Problems(ObjectProvider<MeterRegistry> meters) {
        this.meters = meters;
    }

    /** Problem details for {@code error}; unexpected errors are logged with an incident id, once. */
    public ProblemDetail of(Throwable error) {
        return switch (error) {
            case InputTooLongException e -> {
                ProblemDetail p = problem(HttpStatus.PAYLOAD_TOO_LARGE, "Input too long", e.getMessage(), "input_too_long");
                p.setProperty("tokens", e.tokens());
                p.setProperty("limit", e.limit());
                yield p;
            }
            case BodyTooLargeException e -> problem(HttpStatus.PAYLOAD_TOO_LARGE, "Request too large", e.getMessage(), "body_too_large");
            case PromptTooLongException e -> {
                ProblemDetail p = problem(HttpStatus.PAYLOAD_TOO_LARGE, "Conversation too long",
                        e.getMessage() + ". Send a shorter message or start a new conversation.", "prompt_too_long");
                p.setProperty("tokens", e.promptTokens());
                p.setProperty("limit", e.limit());
                yield p;
            }
            case ConversationNotFoundException e -> {
                ProblemDetail p = problem(HttpStatus.NOT_FOUND, "Unknown conversation", e.getMessage(), null);
                p.setProperty("conversationId", e.conversationId());
                yield p;
            }
            case ConversationChangedException e -> {
                ProblemDetail p = problem(HttpStatus.CONFLICT, "Conversation changed", e.getMessage(), "conversation_changed");
                p.setProperty("conversationId", e.conversationId());
                yield p;
            }
            case ConversationStoreException e -> {
                log.warn("Conversation store unavailable: {}", e.getMessage(), e.getCause());
                yield problem(HttpStatus.SERVICE_UNAVAILABLE, "Conversations unavailable",
                        "The conversation store cannot be reached; nothing of this message was kept. Try again in a moment.",
                        "store_unavailable");
            }
            case UnauthorizedException e -> problem(HttpStatus.UNAUTHORIZED, "Unauthorized", e.getMessage(), "invalid_api_key");
            case ModelNotReadyException e -> problem(HttpStatus.SERVICE_UNAVAILABLE, "Model not ready", e.getMessage(), "not_ready");
            case EngineBusyException e -> problem(HttpStatus.SERVICE_UNAVAILABLE,
                    e.reason() == EngineBusyException.Reason.SHUTTING_DOWN ? "Shutting down" : "Busy",
                    e.getMessage() + ". Try again in a moment.", e.reason().name().toLowerCase());
            case DeadlineExceededException e -> problem(HttpStatus.GATEWAY_TIMEOUT, "Deadline exceeded",
                    e.getMessage() + ". Ask for less, or allow more time (header Request-Timeout).", "deadline");
            case ClientLimitException e -> problem(HttpStatus.TOO_MANY_REQUESTS, "Too many requests", e.getMessage(), "client_limit");
            case BadRequestException e -> problem(HttpStatus.BAD_REQUEST, "Invalid request", e.getMessage(), null);
            case UnsupportedFeatureException e -> problem(HttpStatus.BAD_REQUEST, "Not supported", e.getMessage(), null);
            case CancellationException e -> problem(HttpStatus.SERVICE_UNAVAILABLE, "Cancelled", "The request was cancelled.", "cancelled");
            default -> {
                String incident = UUID.randomUUID().toString();
                log.error("Unexpected error (incident {})", incident, error);
                ProblemDetail p = problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                        "The request failed unexpectedly; the server logged incident " + incident + ".", "internal");
                p.setProperty("incident", incident);
                yield p;
            }
        };
    }

    /** Whether clients should be told to come back later (Retry-After). */
    public static boolean retryable(ProblemDetail problem) {
        return problem.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value()
                || problem.getStatus() == HttpStatus.TOO_MANY_REQUESTS.value();
    }

    public ProblemDetail problem(HttpStatus status, String title, String detail, String rejectionCause) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        Map<String, Object> openAi = new LinkedHashMap<>();
        openAi.put("message", detail);
        openAi.put("type", switch (status) {
            case BAD_REQUEST, PAYLOAD_TOO_LARGE, NOT_FOUND, CONFLICT, UNSUPPORTED_MEDIA_TYPE -> "invalid_request_error";
            case UNAUTHORIZED -> "authentication_error";
            case TOO_MANY_REQUESTS -> "rate_limit_error";
            case GATEWAY_TIMEOUT -> "timeout_error";
            default -> "server_error";
        });
        openAi.put("code", rejectionCause);
        problem.setProperty("error", openAi);
        if (rejectionCause != null) {
            meters.ifAvailable(r -> r.counter("allinone.api.rejected", "cause", rejectionCause).increment());
        }
        return problem;
    }
}
