package dev.allinone.engine.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A format's report kept beside its quantized copy ({@code <dir>-allinone-q4/quality.json}), so that only the
 * first start measures it. It names the copy it was measured on (size and time): a copy made again (new weights,
 * a new format version) is measured again.
 */
final class KeptQualityReport {

    private static final Logger log = LoggerFactory.getLogger(KeptQualityReport.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path copy;
    private final Path file;

    KeptQualityReport(Path copy) {
        this.copy = copy;
        this.file = copy.resolveSibling("quality.json");
    }

    boolean copyExists() {
        return Files.isRegularFile(copy);
    }

    Optional<QualityReport> read() {
        try {
            if (!Files.isRegularFile(file) || !Files.isRegularFile(copy)) {
                return Optional.empty();
            }
            JsonNode kept = JSON.readTree(file.toFile());
            if (!kept.path("copy").asText().equals(stamp())) {
                return Optional.empty();
            }
            return Optional.of(JSON.treeToValue(kept.path("report"), QualityReport.class));
        } catch (IOException | RuntimeException e) {
            log.warn("Could not read the quality report {} ({}); measuring again", file, e.toString());
            return Optional.empty();
        }
    }

    void write(QualityReport report) {
        try {
            Map<String, Object> kept = new LinkedHashMap<>();
            kept.put("copy", stamp());
            kept.put("report", report);
            Path temporary = Files.createTempFile(file.getParent(), "quality", ".partial");
            JSON.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), kept);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not keep the quality report in {} ({})", file, e.toString());
        }
    }

    private String stamp() throws IOException {
        return Files.size(copy) + ":" + Files.getLastModifiedTime(copy).toMillis();
    }
}
