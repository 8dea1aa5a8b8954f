package dev.allinone.web;

import dev.allinone.companion.ConversationNotFoundException;
import dev.allinone.engine.ModelNotReadyException;
import dev.allinone.engine.PromptTooLongException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.util.List;
import java.util.UUID;

/**
 * Every error of the API as RFC 9457 problem details ({@code application/problem+json}) with the right
 * status and a message a client can act on; never a stack trace. Scoped to this API's controllers, so a host
 * application keeps its own error handling.
 */
@Order(Ordered.HIGHEST_PRECEDENCE) // before Boot's global problem-details handler, for our controllers
@RestControllerAdvice(assignableTypes = {SentimentController.class, ChatController.class})
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final ApiProperties properties;

    ApiExceptionHandler(ApiProperties properties) {
        this.properties = properties;
    }

    @ExceptionHandler(InputTooLongException.class)
    ProblemDetail inputTooLong(InputTooLongException e) {
        ProblemDetail problem = problem(HttpStatus.PAYLOAD_TOO_LARGE, "Input too long", e.getMessage());
        problem.setProperty("tokens", e.tokens());
        problem.setProperty("limit", e.limit());
        return problem;
    }

    @ExceptionHandler(PromptTooLongException.class)
    ProblemDetail promptTooLong(PromptTooLongException e) {
        ProblemDetail problem = problem(HttpStatus.PAYLOAD_TOO_LARGE, "Conversation too long",
                e.getMessage() + ". Send a shorter message or start a new conversation.");
        problem.setProperty("tokens", e.promptTokens());
        problem.setProperty("limit", e.limit());
        return problem;
    }

    @ExceptionHandler(ConversationNotFoundException.class)
    ProblemDetail conversationNotFound(ConversationNotFoundException e) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "Unknown conversation", e.getMessage());
        problem.setProperty("conversationId", e.conversationId());
        return problem;
    }

    @ExceptionHandler(ModelNotReadyException.class)
    ResponseEntity<ProblemDetail> modelNotReady(ModelNotReadyException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(properties.retryAfter()))
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, "Model not ready", e.getMessage()));
    }

    @ExceptionHandler(UnsupportedFeatureException.class)
    ProblemDetail unsupported(UnsupportedFeatureException e) {
        return problem(HttpStatus.BAD_REQUEST, "Not supported", e.getMessage());
    }

    /** The last resort: logged with an id the client can quote; the client gets no internals. */
    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        String incident = UUID.randomUUID().toString();
        log.error("Unexpected error (incident {})", incident, e);
        ProblemDetail problem = problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                "The request failed unexpectedly; the server logged incident " + incident + ".");
        problem.setProperty("incident", incident);
        return problem;
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<String> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> f.getField() + ": " + f.getDefaultMessage())
                .sorted()
                .toList();
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Invalid request", String.join("; ", errors));
        problem.setProperty("errors", errors);
        return handleExceptionInternal(e, problem, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Unreadable request",
                "The request body is missing or is not valid JSON of the expected shape.");
        return handleExceptionInternal(e, problem, headers, status, request);
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
