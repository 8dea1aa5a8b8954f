package dev.allinone.web.errors;

import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Errors that reach the error page ({@code /error}) from this API's paths: Tomcat's own {@code sendError} while
 * reading a body (a malformed chunk, a body that never finished), or anything else the API's resolver could not
 * answer. Written in the API's rendering; errors of the host application's paths go on to its error page.
 */
public class ErrorDispatchFilter extends OncePerRequestFilter {

    private final ErrorResponses responses;

    public ErrorDispatchFilter(ErrorResponses responses) {
        this.responses = responses;
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String uri = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        ErrorResponses.Rendering rendering = responses.renderingOf(uri, request.getContextPath());
        if (rendering == null || response.isCommitted()) {
            chain.doFilter(request, response);
            return;
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 ? i : 500;
        Throwable error = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        String message = (String) request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        ProblemDetail problem;
        if (status >= 500) {
            problem = Problems.plain(status, "The server failed to process the request.", "internal");
        } else if (status == 408) {
            problem = Problems.plain(status, "The request body did not arrive in time.", "request_timeout");
        } else if (error instanceof org.apache.coyote.BadRequestException bad) {
            problem = Problems.plain(status, "The request body could not be read: " + bad.getMessage(), "invalid_body");
        } else {
            problem = Problems.plain(status, message != null && !message.isBlank() ? message : "The request failed.", null);
        }
        response.reset();
        responses.write(response, problem, rendering);
    }
}
