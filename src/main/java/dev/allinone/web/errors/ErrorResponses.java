package dev.allinone.web.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two renderings of one error ({@link Problems}): {@code application/problem+json} (RFC 9457) on {@code /api},
 * OpenAI's error object on {@code /v1} ({@code {"error": {"message", "type", "param", "code"}}} as
 * {@code application/json}, which OpenAI's SDKs parse into their error classes). {@code Retry-After} goes on every
 * 503 and 429, here and nowhere else.
 */
public final class ErrorResponses {

    private static final MediaType PROBLEM = MediaType.APPLICATION_PROBLEM_JSON;

    private final ObjectMapper json;
    private final int retryAfterSeconds;
    private final boolean restApi;
    private final boolean openAi;

    /**
     * @param restApi whether {@code /api} is this library's (turned on), so that its errors are rendered here
     * @param openAi  whether {@code /v1} is; a path of a surface that is off stays the host application's
     */
    public ErrorResponses(ObjectMapper json, int retryAfterSeconds, boolean restApi, boolean openAi) {
        this.json = json;
        this.retryAfterSeconds = retryAfterSeconds;
        this.restApi = restApi;
        this.openAi = openAi;
    }

    /** How an error is written: problem details, OpenAI's error object, or both (where the path is not known). */
    public enum Rendering {
        PROBLEM, OPENAI,
        /** Problem details with OpenAI's error object as an extension member: either kind of client reads it. */
        BOTH
    }

    /** Whether {@code request} is one of the OpenAI-compatible API's: its errors take OpenAI's shape. */
    public static boolean isOpenAi(HttpServletRequest request) {
        return under(pathOf(request.getRequestURI(), request.getContextPath()), "/v1");
    }

    /**
     * The rendering for a request URI as sent (with the context path), or null when the path is not of a surface
     * of this library that is turned on ({@code /api}, {@code /v1}): the host application's.
     */
    Rendering renderingOf(String requestUri, String contextPath) {
        if (requestUri == null) {
            return null;
        }
        String path = pathOf(requestUri, contextPath);
        return openAi && under(path, "/v1") ? Rendering.OPENAI : restApi && under(path, "/api") ? Rendering.PROBLEM : null;
    }

    private static String pathOf(String uri, String context) {
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    private static boolean under(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || "/;?".indexOf(path.charAt(prefix.length())) >= 0);
    }

    /** Writes {@code problem} as the response, in the rendering the request's path calls for. */
    public void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem) throws IOException {
        write(response, problem, isOpenAi(request) ? Rendering.OPENAI : Rendering.PROBLEM);
    }

    public void write(HttpServletResponse response, ProblemDetail problem, Rendering rendering) throws IOException {
        response.setStatus(problem.getStatus());
        if (Problems.retryable(problem)) {
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds));
        }
        response.setContentType(contentType(rendering));
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(body(problem, rendering).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        response.flushBuffer();
    }

    static String contentType(Rendering rendering) {
        return (rendering == Rendering.OPENAI ? MediaType.APPLICATION_JSON : PROBLEM).toString();
    }

    /** The response body of {@code problem} in {@code rendering}, as JSON text. */
    String body(ProblemDetail problem, Rendering rendering) {
        Object body = switch (rendering) {
            case PROBLEM -> problem;
            case OPENAI -> openAi(problem);
            case BOTH -> {
                ProblemDetail both = ProblemDetail.forStatusAndDetail(org.springframework.http.HttpStatusCode.valueOf(problem.getStatus()),
                        problem.getDetail());
                both.setTitle(problem.getTitle());
                both.setInstance(problem.getInstance());
                if (problem.getProperties() != null) {
                    problem.getProperties().forEach(both::setProperty);
                }
                both.setProperty("error", openAi(problem).get("error"));
                yield both;
            }
        };
        try {
            return json.writeValueAsString(body);
        } catch (IOException e) {
            return "{\"status\":" + problem.getStatus() + "}";
        }
    }

    /** OpenAI's error object for {@code problem}: what an OpenAI client reads. */
    public static Map<String, Object> openAi(ProblemDetail problem) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", problem.getDetail());
        error.put("type", openAiType(problem.getStatus()));
        error.put("param", property(problem, Problems.PARAM));
        error.put("code", property(problem, Problems.CODE));
        return Map.of("error", error);
    }

    private static Object property(ProblemDetail problem, String name) {
        return problem.getProperties() == null ? null : problem.getProperties().get(name);
    }

    /** The {@code type} OpenAI's API gives errors of this status. */
    private static String openAiType(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        if (known == null) {
            return status >= 500 ? "server_error" : "invalid_request_error";
        }
        return switch (known) {
            case UNAUTHORIZED -> "authentication_error";
            case FORBIDDEN -> "permission_error";
            case TOO_MANY_REQUESTS -> "rate_limit_error";
            case GATEWAY_TIMEOUT -> "timeout_error";
            default -> known.is4xxClientError() ? "invalid_request_error" : "server_error";
        };
    }
}
