package dev.allinone.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Downloads a model repository from the Hugging Face hub, using the hub's public URL scheme:
 * {@code GET /api/models/{repo}[/revision/{revision}]?blobs=true} lists the files with their sizes, and
 * {@code GET /{repo}/resolve/{revision}/{file}} serves each one (usually through a redirect to a CDN).
 */
public final class HuggingFaceHub {

    /** A file of the repository; {@code size} is -1 when the listing does not say. */
    public record RemoteFile(String name, long size) {
    }

    /** Told about progress while files arrive. */
    public interface Listener {
        void started(List<RemoteFile> files);

        void progress(RemoteFile file, long bytesDone);

        void finished(RemoteFile file);
    }

    private static final int MAX_REDIRECTS = 10;
    private static final int BUFFER = 1 << 16;

    private final URI baseUrl;
    private final String token;
    private final Duration timeout;
    private final ObjectMapper json = new ObjectMapper();

    public HuggingFaceHub(URI baseUrl, String token, Duration timeout) {
        String base = baseUrl.toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base : base + "/");
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.timeout = timeout;
    }

    /** Every file of {@code repo} at {@code revision}. */
    public List<RemoteFile> listFiles(String repo, String revision) throws IOException {
        String path = "api/models/" + repo + ("main".equals(revision) ? "" : "/revision/" + encodeSegments(revision))
                + "?blobs=true";
        JsonNode body;
        try (InputStream in = open(baseUrl.resolve(path), "the file list of " + repo).body()) {
            body = json.readTree(in);
        }
        List<RemoteFile> files = new ArrayList<>();
        for (JsonNode sibling : body.path("siblings")) {
            String name = sibling.path("rfilename").asText("");
            if (!isSafeRelativePath(name)) {
                throw new IOException("The hub listed an unsafe file name for " + repo + ": " + name);
            }
            files.add(new RemoteFile(name, sibling.path("size").asLong(-1)));
        }
        if (files.isEmpty()) {
            throw new IOException("The hub listed no files for " + repo + " at revision " + revision);
        }
        return files;
    }

    /**
     * Downloads every file of {@code repo} into {@code target}, all or nothing: files land in a hidden
     * sibling directory, are checked against their listed sizes, and the directory is renamed to
     * {@code target} only when all are there.
     */
    public void download(String repo, String revision, Path target, Listener listener) throws IOException {
        List<RemoteFile> files = listFiles(repo, revision);
        listener.started(files);
        ModelDirectory.writeAtomically(target, dir -> {
            for (RemoteFile file : files) {
                fetch(repo, revision, file, dir.resolve(file.name()), listener);
            }
        });
    }

    private void fetch(String repo, String revision, RemoteFile file, Path destination, Listener listener)
            throws IOException {
        Files.createDirectories(destination.getParent());
        URI uri = baseUrl.resolve(repo + "/resolve/" + encodeSegments(revision) + "/" + encodeSegments(file.name()));
        Response response = open(uri, file.name());
        long expected = file.size() >= 0 ? file.size() : response.contentLength();
        RemoteFile sized = new RemoteFile(file.name(), expected);
        long done = 0;
        try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(destination)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                done += n;
                listener.progress(sized, done);
            }
        }
        if (expected >= 0 && done != expected) {
            throw new IOException("Download of " + file.name() + " ended after " + done + " of " + expected + " bytes");
        }
        listener.finished(sized);
    }

    private record Response(HttpURLConnection connection) {
        InputStream body() throws IOException {
            return connection.getInputStream();
        }

        long contentLength() {
            return connection.getContentLengthLong();
        }
    }

    /**
     * GET with redirects followed by hand: the token goes to the hub's own host only, never to the CDN a
     * download is redirected to (signed CDN URLs reject a second credential).
     */
    private Response open(URI uri, String what) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setRequestProperty("User-Agent", "allinone");
            if (token != null && Objects.equals(current.getHost(), baseUrl.getHost())) {
                c.setRequestProperty("Authorization", "Bearer " + token);
            }
            int status = c.getResponseCode();
            if (status >= 300 && status < 400 && c.getHeaderField("Location") != null) {
                current = current.resolve(c.getHeaderField("Location"));
                c.disconnect();
                continue;
            }
            if (status == 200) {
                return new Response(c);
            }
            c.disconnect();
            throw new IOException(switch (status) {
                case 401, 403 -> "The hub refused " + what + " (HTTP " + status + "): the model may be gated or "
                        + "private; set allinone.model.hub-token";
                case 404 -> "The hub has no " + what + " (HTTP 404): check allinone.model.id and revision";
                default -> "The hub answered HTTP " + status + " for " + what;
            });
        }
        throw new IOException("Too many redirects for " + what);
    }

    private static boolean isSafeRelativePath(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\")) {
            return false;
        }
        for (String segment : name.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String encodeSegments(String path) {
        List<String> encoded = new ArrayList<>();
        for (String segment : path.split("/")) {
            encoded.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", encoded);
    }
}
