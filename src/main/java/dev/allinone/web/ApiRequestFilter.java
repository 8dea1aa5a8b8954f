package dev.allinone.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.engine.RequestControl;
import dev.allinone.security.ApiKeys;
import dev.allinone.security.Caller;
import dev.allinone.security.UnauthorizedException;
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
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * What every {@code /api} and {@code /v1} request goes through before a controller: the API key when keys are
 * configured ({@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}; the caller it names goes on as a
 * request attribute, see {@link Caller}), the body-size cap (checked on the declared length, and enforced while
 * reading for chunked bodies), the per-client limit on requests in flight (per key when keys are on, per
 * address otherwise), and the request's deadline ({@code Request-Timeout} header, capped; the configured default
 * otherwise), which the engine honours.
 */
class ApiRequestFilter extends OncePerRequestFilter {

    /** The header a client sets to ask for a shorter (or, up to the cap, longer) deadline: seconds, or 30s, 500ms. */
    static final String TIMEOUT_HEADER = "Request-Timeout";
    static final String API_KEY_HEADER = "X-API-Key";
    private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");

    private final ApiProperties properties;
    private final ApiKeys keys;
    private final Problems problems;
    private final ObjectMapper json;
    private final ConcurrentHashMap<String, Semaphore> inFlight = new ConcurrentHashMap<>();

    ApiRequestFilter(ApiProperties properties, ApiKeys keys, Problems problems, ObjectMapper json) {
        this.properties = properties;
        this.keys = keys;
        this.problems = problems;
        this.json = json;
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
            caller = authenticate(request);
        } catch (UnauthorizedException e) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"allinone\"");
            write(response, problems.of(e));
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller);
        long limit = properties.maxBodySize().toBytes();
        if (request.getContentLengthLong() > limit) {
            write(response, problems.of(new BodyTooLargeException(limit)));
            return;
        }
        RequestControl control;
        try {
            control = RequestControl.withTimeout(timeout(request.getHeader(TIMEOUT_HEADER)));
        } catch (BadRequestException e) {
            write(response, problems.of(e));
            return;
        }
        Runnable release = acquire(caller.keyName() != null ? "key:" + caller.keyName() : request.getRemoteAddr());
        if (release == null) {
            write(response, problems.of(new ClientLimitException(properties.maxConcurrentPerClient())));
            return;
        }
        boolean async = false;
        try (RequestControl.Scope ignored = control.bind()) {
            chain.doFilter(new LimitedBodyRequest(request, limit), response);
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

    /** The caller the request's key names; anyone when keys are off. */
    private Caller authenticate(HttpServletRequest request) {
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
                    + header + "'");
        }
        if (requested.isNegative() || requested.isZero()) {
            throw new BadRequestException("Header " + TIMEOUT_HEADER + " must be positive");
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

    private void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        response.setStatus(problem.getStatus());
        response.setContentType("application/problem+json");
        if (Problems.retryable(problem)) {
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(properties.retryAfter()));
        }
        json.writeValue(response.getOutputStream(), problem);
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

    /** Stops reading a body (sent without a length, or longer than declared) once it passes the limit. */
    private static final class LimitedBodyRequest extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream stream;

        LimitedBodyRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        int n = in.read(buffer, offset, length);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) throws IOException {
                        read += n;
                        if (read > limit) {
                            throw new BodyTooLargeException(limit);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
