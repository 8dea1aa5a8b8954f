package dev.allinone.engine.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A format's report kept beside its quantized copy ({@code <dir>-allinone-q4/quality.json}), so that only the
 * first start measures it. It names the copy it was measured on (size and time): a copy made again (new weights,
 * a new format version) is measured again; and the labelling tasks it was measured with.
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

    /** A kept report, and the labelling tasks it was measured with (some may have given no figures). */
    record Kept(QualityReport report, Set<String> checks) {
    }

    Optional<Kept> read() {
        try {
            if (!Files.isRegularFile(file) || !Files.isRegularFile(copy)) {
                return Optional.empty();
            }
            JsonNode kept = JSON.readTree(file.toFile());
            if (!kept.path("copy").asText().equals(stamp())) {
                return Optional.empty();
            }
            Set<String> checks = new LinkedHashSet<>();
            kept.path("checks").forEach(name -> checks.add(name.asText()));
            return Optional.of(new Kept(JSON.treeToValue(kept.path("report"), QualityReport.class), checks));
        } catch (IOException | RuntimeException e) {
            log.warn("Could not read the quality report {} ({}); measuring again", file, e.toString());
            return Optional.empty();
        }
    }

    void write(QualityReport report, Collection<String> checks) {
        try {
            Map<String, Object> kept = new LinkedHashMap<>();
            kept.put("copy", stamp());
            kept.put("checks", checks);
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
