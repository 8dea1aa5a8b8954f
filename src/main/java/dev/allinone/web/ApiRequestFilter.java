package dev.allinone.web;

import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.security.ApiKeys;
import dev.allinone.security.Caller;
import dev.allinone.security.UnauthorizedException;
import dev.allinone.web.errors.BadRequestException;
import dev.allinone.web.errors.BodyTooLargeException;
import dev.allinone.web.errors.ClientLimitException;
import dev.allinone.web.errors.ErrorResponses;
import dev.allinone.web.errors.MalformedBodyException;
import dev.allinone.web.errors.Problems;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * What every {@code /api} and {@code /v1} request goes through before a controller: the API key when keys are
 * configured ({@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}; the caller it names goes on as a
 * request attribute, see {@link Caller}), the body: not compressed (415), within the size cap (checked on the
 * declared length, and enforced while reading for chunked bodies), and well-formed UTF-8 (checked while
 * reading); the per-client limit on requests in flight (per key when keys are on, per address otherwise), and
 * the request's deadline ({@code Request-Timeout} header, capped; the configured default otherwise), which the
 * engine honours.
 */
class ApiRequestFilter extends OncePerRequestFilter {

    /** The header a client sets to ask for a shorter (or, up to the cap, longer) deadline: seconds, or 30s, 500ms. */
    static final String TIMEOUT_HEADER = "Request-Timeout";
    static final String API_KEY_HEADER = "X-API-Key";
    private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");

    private final ApiProperties properties;
    private final ApiKeys keys;
    private final Problems problems;
    private final ErrorResponses responses;
    private final ConcurrentHashMap<String, Semaphore> inFlight = new ConcurrentHashMap<>();

    ApiRequestFilter(ApiProperties properties, ApiKeys keys, Problems problems, ErrorResponses responses) {
        this.properties = properties;
        this.keys = keys;
        this.problems = problems;
        this.responses = responses;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !path.startsWith("/api/") && !path.startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller;
        try {
            caller = authenticate(keys, request);
        } catch (UnauthorizedException e) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"allinone\"");
            write(request, response, problems.of(e));
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller);
        String encoding = compression(request);
        if (encoding != null) {
            response.setHeader(HttpHeaders.ACCEPT_ENCODING, "identity");
            ProblemDetail problem = problems.problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported Content-Encoding",
                    "Content-Encoding '" + (encoding.length() > 40 ? encoding.substring(0, 40) + "…" : encoding)
                    + "' is not supported: send the request body uncompressed", "unsupported_content_encoding");
            problem.setProperty(Problems.PARAM, "Content-Encoding");
            write(request, response, problem);
            return;
        }
        long limit = properties.maxBodySize().toBytes();
        if (request.getContentLengthLong() > limit) {
            write(request, response, problems.of(new BodyTooLargeException(limit)));
            return;
        }
        RequestControl control;
        try {
            control = RequestControl.withTimeout(timeout(request.getHeader(TIMEOUT_HEADER)));
        } catch (BadRequestException e) {
            write(request, response, problems.of(e));
            return;
        }
        Runnable release = acquire(caller.keyName() != null ? "key:" + caller.keyName() : request.getRemoteAddr());
        if (release == null) {
            write(request, response, problems.of(new ClientLimitException(properties.maxConcurrentPerClient())));
            return;
        }
        HttpServletRequest checked;
        try {
            checked = withCheckedBody(request, limit);
        } catch (BodyTooLargeException | MalformedBodyException e) {
            release.run();
            write(request, response, e instanceof BodyTooLargeException tooLarge ? problems.of(tooLarge)
                    : problems.invalid(e.getMessage(), null));
            return;
        }
        boolean async = false;
        try (RequestControl.Scope ignored = control.bind()) {
            chain.doFilter(checked, response);
            if (request.isAsyncStarted()) {
                // A streamed answer: the limit holds until the stream ends.
                async = true;
                request.getAsyncContext().addListener(new ReleaseOnEnd(release));
            }
        } finally {
            if (!async) {
                release.run();
            }
        }
    }

    /** The content coding of the request's body other than identity, or null: bodies are read as sent. */
    private static String compression(HttpServletRequest request) {
        for (String value : Collections.list(request.getHeaders(HttpHeaders.CONTENT_ENCODING))) {
            for (String coding : value.split(",")) {
                String c = coding.trim();
                if (!c.isEmpty() && !c.equalsIgnoreCase("identity")) {
                    return c;
                }
            }
        }
        return null;
    }

    /** The caller the request's key names; anyone when keys are off. */
    static Caller authenticate(ApiKeys keys, HttpServletRequest request) {
        if (!keys.enabled()) {
            return Caller.ANONYMOUS;
        }
        String key = request.getHeader(API_KEY_HEADER);
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (key == null && authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new UnauthorizedException("The Authorization header must be 'Bearer <API key>'");
            }
            key = authorization.substring(7);
        }
        if (key == null || key.isBlank()) {
            throw new UnauthorizedException("An API key is required: send 'Authorization: Bearer <key>' or '"
                    + API_KEY_HEADER + ": <key>'");
        }
        return keys.authenticate(key)
                .map(Caller::new)
                .orElseThrow(() -> new UnauthorizedException("The API key is not valid"));
    }

    private Duration timeout(String header) {
        if (header == null || header.isBlank()) {
            return properties.timeout();
        }
        Duration requested;
        try {
            String value = header.trim();
            requested = SECONDS.matcher(value).matches()
                    ? Duration.ofMillis((long) (Double.parseDouble(value) * 1000))
                    : DurationStyle.detectAndParse(value);
        } catch (RuntimeException e) {
            throw new BadRequestException("Header " + TIMEOUT_HEADER + " must be seconds (30) or a duration (30s, 500ms), not '"
                    + (header.length() > 40 ? header.substring(0, 40) + "…" : header) + "'", TIMEOUT_HEADER);
        }
        if (requested.isNegative() || requested.isZero()) {
            throw new BadRequestException("Header " + TIMEOUT_HEADER + " must be positive", TIMEOUT_HEADER);
        }
        return requested.compareTo(properties.maxTimeout()) > 0 ? properties.maxTimeout() : requested;
    }

    /** A permit for one more request of this client, as the action that gives it back; null when none is left. */
    private Runnable acquire(String client) {
        int max = properties.maxConcurrentPerClient();
        if (max <= 0) {
            return () -> { };
        }
        Semaphore permits = inFlight.computeIfAbsent(client, c -> new Semaphore(max));
        if (!permits.tryAcquire()) {
            return null;
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                permits.release();
                inFlight.computeIfPresent(client, (c, s) -> s.availablePermits() == max ? null : s);
            }
        };
    }

    private void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem) throws IOException {
        responses.write(request, response, problem);
    }

    private record ReleaseOnEnd(Runnable release) implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onError(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }

    /**
     * The request with its body read (at most {@code limit} bytes, whatever the declared length, so a chunked
     * body is held to the limit too) and, when it is JSON, checked ({@link JsonBody}); the controller reads the
     * same bytes.
     */
    private static HttpServletRequest withCheckedBody(HttpServletRequest request, long limit)
            throws IOException {
        if (request.getContentLengthLong() <= 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null) {
            return request;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        }
        if (body.length > limit) {
            throw new BodyTooLargeException(limit);
        }
        String type = request.getContentType();
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).matches("application/([\\w.+-]*\\+)?json.*")) {
            JsonBody.check(body);
        }
        return new ReadBodyRequest(request, body);
    }

    /** A request whose body was read already: the controller gets the same bytes. */
    private static final class ReadBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("The body was read already");
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
