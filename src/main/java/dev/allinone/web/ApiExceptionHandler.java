package dev.allinone.web;

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

/**
 * Every error of the API as RFC 9457 problem details ({@code application/problem+json}) with the right
 * status and a message a client can act on; never a stack trace (see {@link Problems}). Scoped to this API's
 * controllers, so a host application keeps its own error handling.
 */
@Order(Ordered.HIGHEST_PRECEDENCE) // before Boot's global problem-details handler, for our controllers
@RestControllerAdvice(assignableTypes = {SentimentController.class, ChatController.class})
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private final ApiProperties properties;
    private final Problems problems;

    ApiExceptionHandler(ApiProperties properties, Problems problems) {
        this.properties = properties;
        this.problems = problems;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> handle(Exception e) {
        return respond(problems.of(e));
    }

    private ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.getStatus());
        if (Problems.retryable(problem)) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(properties.retryAfter()));
        }
        return response.body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<String> errors = e.getBindingResult().getFieldErrors().stream()
                .map(f -> f.getField() + ": " + f.getDefaultMessage())
                .sorted()
                .toList();
        ProblemDetail problem = problems.problem(HttpStatus.BAD_REQUEST, "Invalid request", String.join("; ", errors), "invalid");
        problem.setProperty("errors", errors);
        return handleExceptionInternal(e, problem, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BodyTooLargeException tooLarge) {
                ProblemDetail problem = problems.of(tooLarge);
                return handleExceptionInternal(e, problem, headers, HttpStatus.PAYLOAD_TOO_LARGE, request);
            }
        }
        ProblemDetail problem = problems.problem(HttpStatus.BAD_REQUEST, "Unreadable request",
                "The request body is missing or is not valid JSON of the expected shape.", "unreadable");
        return handleExceptionInternal(e, problem, headers, status, request);
    }
}
