package dev.allinone.web.errors;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.buf.MessageBytes;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Errors Tomcat answers itself, before any application code runs (headers or URL too long, an encoded {@code /}
 * or NUL in the path, a malformed request line, an unsupported transfer encoding), as JSON instead of Tomcat's
 * HTML page: problem details on {@code /api}, OpenAI's error object on {@code /v1}, and both in one body when
 * Tomcat could not even read the path. Errors on the host application's paths keep Tomcat's own page.
 */
public class TomcatErrorValve extends ErrorReportValve {

    private final ErrorResponses responses;
    private final String contextPath;

    TomcatErrorValve(ErrorResponses responses, String contextPath) {
        this.responses = responses;
        this.contextPath = contextPath;
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        String uri = rawUri(request);
        ErrorResponses.Rendering rendering = responses.renderingOf(uri, contextPath);
        if (rendering == null && uri != null) {
            super.report(request, response, throwable); // the host application's path: Tomcat's own page
            return;
        }
        if (rendering == null) {
            rendering = ErrorResponses.Rendering.BOTH;
        }
        if (!response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        ProblemDetail problem = describe(request, response, throwable, uri, status);
        response.setStatus(problem.getStatus());
        try {
            response.setContentType(ErrorResponses.contentType(rendering));
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(responses.body(problem, rendering));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException clientGone) {
            // nothing to tell anyone
        }
    }

    private ProblemDetail describe(Request request, Response response, Throwable throwable, String uri, int status) {
        String message = response.getMessage();
        String cause = throwable != null ? throwable.getMessage() : null;
        if (cause != null && cause.startsWith("Request header is too large")) {
            Object limit = request.getConnector() == null ? null : request.getConnector().getProperty("maxHttpRequestHeaderSize");
            String bytes = limit == null ? "" : " (request line and headers together: " + limit + " bytes)";
            response.setHeader("Connection", "close");
            return uri == null
                    ? Problems.plain(HttpStatus.URI_TOO_LONG.value(), "The URL is longer than the server accepts" + bytes, "uri_too_long")
                    : Problems.plain(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.value(), "The request headers are larger than the server "
                    + "accepts" + bytes, "request_header_too_large");
        }
        if (status == 501 && request.getCoyoteRequest().getMimeHeaders().getValue("transfer-encoding") != null) {
            return Problems.plain(HttpStatus.NOT_IMPLEMENTED.value(), "Transfer-Encoding '" + clip(request.getHeader("transfer-encoding"), 64)
                    + "' is not supported; send the body with Content-Length or chunked", "unsupported_transfer_encoding");
        }
        if (message != null && message.startsWith("Invalid URI")) {
            return Problems.plain(status, clip(message, 200) + ". An encoded '/' (%2F) or '\\' (%5C), NUL "
                    + "(%00), an invalid %-escape or '..' above the root is not accepted in a path", "invalid_path");
        }
        if (status >= 500 && status != 501 && status != 505) {
            return Problems.plain(status, "The server failed to process the request", null);
        }
        String detail = cause != null ? clip(cause, 300) : message != null && !message.isBlank() ? clip(message, 300)
                : "The request is malformed and was refused before reaching the application";
        return Problems.plain(status, detail, status == 505 ? "http_version_not_supported" : "invalid_request");
    }

    /** The first line, shortened: Tomcat's messages echo what the client sent. */
    private static String clip(String text, int max) {
        String first = text == null ? "" : text.lines().findFirst().orElse("");
        return first.length() <= max ? first : first.substring(0, max) + "…";
    }

    private static String rawUri(Request request) {
        MessageBytes uri = request.getCoyoteRequest().requestURI();
        if (uri == null || uri.isNull()) {
            return null;
        }
        String text = uri.toString();
        return text == null || text.isEmpty() ? null : text;
    }
}
