package dev.allinone.web.errors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

import java.io.IOException;

/**
 * The one place errors of this library's API become responses: an exception raised by one of its controllers
 * ({@link ApiController}), or by Spring MVC for a request under {@code /v1} that reached none (unknown path,
 * wrong method or content type), is described by {@link Problems} and rendered by {@link ErrorResponses}. Runs
 * before every other resolver, and only for those requests: the host application's own controllers and paths
 * keep the host's error handling.
 */
public class ApiErrorResolver implements HandlerExceptionResolver, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorResolver.class);

    private final Problems problems;
    private final ErrorResponses responses;

    public ApiErrorResolver(Problems problems, ErrorResponses responses) {
        this.problems = problems;
        this.responses = responses;
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
                                         Exception error) {
        boolean ours = handler instanceof HandlerMethod method && method.getBeanType().isAnnotationPresent(ApiController.class);
        boolean openAiPath = responses.renderingOf(request.getRequestURI(), request.getContextPath()) == ErrorResponses.Rendering.OPENAI;
        if (!ours && !openAiPath) {
            return null;
        }
        if (response.isCommitted()) {
            log.debug("Error after the response was committed: {}", error.toString());
            return new ModelAndView();
        }
        ProblemDetail problem = problems.of(error);
        try {
            response.reset();
            if (error instanceof HttpRequestMethodNotSupportedException methods && methods.getSupportedHttpMethods() != null) {
                response.setHeader(HttpHeaders.ALLOW, String.join(", ", methods.getSupportedHttpMethods().stream()
                        .map(Object::toString).toList()));
            }
            responses.write(request, response, problem);
        } catch (IOException e) {
            log.debug("Could not write an error response: {}", e.toString());
        }
        return new ModelAndView();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1; // after Boot's DefaultErrorAttributes, which only records the error
    }
}
