package dev.allinone.openai;

import dev.allinone.web.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.util.Map;

/**
 * Errors of the OpenAI-compatible API: problem details that also carry OpenAI's {@code error} object, so both
 * RFC 9457 clients and OpenAI client libraries understand them.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice(assignableTypes = OpenAiController.class)
class OpenAiExceptionHandler extends ResponseEntityExceptionHandler {

    private final Problems problems;
    private final int retryAfter;

    OpenAiExceptionHandler(Problems problems, dev.allinone.web.ApiProperties api) {
        this.problems = problems;
        this.retryAfter = api.retryAfter();
    }

    @ExceptionHandler(OpenAiException.class)
    ResponseEntity<ProblemDetail> openAi(OpenAiException e) {
        ProblemDetail problem = problems.problem(HttpStatus.valueOf(e.status()), "Invalid request", e.getMessage(), null);
        problem.setProperty("error", Map.of("message", e.getMessage(), "type", e.type()));
        return ResponseEntity.status(e.status()).body(problem);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> other(Exception e) {
        ProblemDetail problem = problems.of(e);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.getStatus());
        if (Problems.retryable(problem)) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfter));
        }
        return response.body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = problems.problem(HttpStatus.BAD_REQUEST, "Unreadable request",
                "The request body is missing or is not a valid chat completion request.", "unreadable");
        return handleExceptionInternal(e, problem, headers, status, request);
    }
}
