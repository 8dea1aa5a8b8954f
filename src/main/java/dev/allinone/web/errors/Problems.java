package dev.allinone.web.errors;

import dev.allinone.companion.ConversationChangedException;
import dev.allinone.companion.ConversationNotFoundException;
import dev.allinone.conversation.ConversationStoreException;
import dev.allinone.engine.api.DeadlineExceededException;
import dev.allinone.engine.api.EngineBusyException;
import dev.allinone.engine.api.InvalidRequestException;
import dev.allinone.engine.api.ModelNotReadyException;
import dev.allinone.engine.api.PromptTooLongException;
import dev.allinone.engine.kvcache.AttentionMemoryException;
import dev.allinone.security.UnauthorizedException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MethodArgumentNotValidException;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;

/**
 * Every error of the API, {@code /api} and {@code /v1} alike, as one description: RFC 9457 problem details with
 * the right status, a {@code detail} a client can act on (never a stack trace), a machine-readable {@code code},
 * and the {@code param} at fault when there is one. {@link ErrorResponses} renders it: as
 * {@code application/problem+json} on {@code /api}, as OpenAI's error object on {@code /v1}. Refused requests
 * are counted by cause ({@code allinone.api.rejected}).
 *
 * <p>Client mistakes are logged in one line at most; only unexpected errors are logged with their stack trace,
 * under an incident id the client is given.
 */
public class Problems {

    /** Extension members of a problem: the machine-readable cause, and the request parameter at fault. */
    public static final String CODE = "code", PARAM = "param";

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
                p.setProperty(PARAM, e.field());
                p.setProperty("tokens", e.tokens());
                p.setProperty("limit", e.limit());
                yield p;
            }
            case BodyTooLargeException e -> problem(HttpStatus.PAYLOAD_TOO_LARGE, "Request too large", e.getMessage(), "body_too_large");
            case PromptTooLongException e -> {
                ProblemDetail p = problem(HttpStatus.PAYLOAD_TOO_LARGE, "Conversation too long",
                        e.getMessage() + ". Send a shorter message or start a new conversation.", "prompt_too_long");
                p.setProperty(PARAM, "messages");
                p.setProperty("tokens", e.promptTokens());
                p.setProperty("limit", e.limit());
                yield p;
            }
            case AttentionMemoryException e -> e.neverFits()
                    ? problem(HttpStatus.PAYLOAD_TOO_LARGE, "Too long for the model's memory", e.getMessage()
                            + ". Ask for fewer tokens (max_tokens) or start a new conversation.", "memory")
                    : problem(HttpStatus.SERVICE_UNAVAILABLE, "Busy", e.getMessage() + ". Try again in a moment.", "memory");
            case ConversationNotFoundException e -> {
                ProblemDetail p = problem(HttpStatus.NOT_FOUND, "Unknown conversation", e.getMessage(), "conversation_not_found");
                p.setProperty("conversationId", e.conversationId());
                yield p;
            }
            case ConversationChangedException e -> {
                ProblemDetail p = problem(HttpStatus.CONFLICT, "Conversation changed", e.getMessage(), "conversation_changed");
                p.setProperty("conversationId", e.conversationId());
                yield p;
            }
            case ConversationStoreException e -> {
                log.warn("Conversation store unavailable: {}", e.getMessage());
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
            case BadRequestException e -> invalid(e.getMessage(), e.param());
            case NotFoundException e -> {
                ProblemDetail p = problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage(), "not_found");
                p.setProperty(PARAM, e.param());
                yield p;
            }
            case HttpMessageNotReadableException e -> unreadable(e);
            case MethodArgumentNotValidException e -> {
                List<String> errors = e.getBindingResult().getFieldErrors().stream()
                        .map(f -> f.getField() + ": " + f.getDefaultMessage())
                        .sorted()
                        .toList();
                ProblemDetail p = invalid(String.join("; ", errors), e.getBindingResult().getFieldErrors().stream()
                        .map(FieldError::getField).sorted().findFirst().orElse(null));
                p.setProperty("errors", errors);
                yield p;
            }
            case InvalidRequestException e -> invalid(e.getMessage(), e.param());
            case UnsupportedFeatureException e -> problem(HttpStatus.BAD_REQUEST, "Not supported", e.getMessage(), "unsupported");
            case CancellationException e -> problem(HttpStatus.SERVICE_UNAVAILABLE, "Cancelled", "The request was cancelled.", "cancelled");
            case ErrorResponse e -> framework(e);
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

    /** A client's mistake in one request parameter (or the request as a whole when {@code param} is null): 400. */
    public ProblemDetail invalid(String detail, String param) {
        ProblemDetail p = problem(HttpStatus.BAD_REQUEST, "Invalid request", detail, "invalid_request");
        if (param != null) {
            p.setProperty(PARAM, param);
        }
        return p;
    }

    /** A body that could not be read: too large (413), or what is wrong with it, naming the field when there is one. */
    private ProblemDetail unreadable(HttpMessageNotReadableException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BodyTooLargeException tooLarge) {
                return of(tooLarge);
            }
        }
        UnreadableBodies.Reason reason = UnreadableBodies.of(e);
        return invalid(reason.detail(), reason.param());
    }

    /**
     * Spring MVC's own errors (unknown path, wrong method or content type, missing parameter...) in this API's
     * terms: their status and message, with a code.
     */
    private ProblemDetail framework(ErrorResponse e) {
        HttpStatusCode status = e.getStatusCode();
        HttpStatus known = HttpStatus.resolve(status.value());
        String detail = e.getBody().getDetail() != null ? e.getBody().getDetail()
                : known != null ? known.getReasonPhrase() : "Request failed";
        String code = switch (status.value()) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 415 -> "unsupported_media_type";
            default -> status.is4xxClientError() ? "invalid_request" : "internal";
        };
        ProblemDetail p = problem(status, e.getBody().getTitle() != null ? e.getBody().getTitle() : detail, detail, code);
        if (status.is5xxServerError()) {
            log.warn("{} while serving the API: {}", status.value(), detail);
        }
        return p;
    }

    /** A problem with a code that is not counted: an error raised outside the API's own handling (Tomcat's). */
    static ProblemDetail plain(int status, String detail, String code) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail);
        HttpStatus known = HttpStatus.resolve(status);
        problem.setTitle(known != null ? known.getReasonPhrase() : "Error");
        if (code != null) {
            problem.setProperty(CODE, code);
        }
        return problem;
    }

    /** Whether clients should be told to come back later (Retry-After). */
    public static boolean retryable(ProblemDetail problem) {
        return problem.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value()
                || problem.getStatus() == HttpStatus.TOO_MANY_REQUESTS.value();
    }

    /** A problem with a machine-readable {@code code}, which also counts as a refusal of that cause. */
    public ProblemDetail problem(HttpStatusCode status, String title, String detail, String code) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        if (code != null) {
            problem.setProperty(CODE, code);
            meters.ifAvailable(r -> r.counter("allinone.api.rejected", "cause", code).increment());
        }
        return problem;
    }
}
