package dev.allinone.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One model on disk, in Hugging Face's layout: {@code config.json}, the tokenizer files and safetensors
 * weights (one file, or shards named by {@code model.safetensors.index.json}).
 *
 * <p>Directories are only ever created by {@link #writeAtomically}: files are written into a hidden sibling
 * and moved into place in one step, so a directory under its final name is complete, and an interrupted
 * download or conversion leaves only a {@code .partial-*} directory that is never mistaken for a model.
 */
public record ModelDirectory(Path path) {

    /** Files every model needs besides its weights. */
    public static final List<String> REQUIRED_FILES = List.of("config.json", "tokenizer.json", "tokenizer_config.json");

    static final String PARTIAL_PREFIX = ".partial-";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelDirectory {
        path = path.toAbsolutePath().normalize();
    }

    /** {@code models/Qwen_Qwen1.5-0.5B-Chat} for {@code Qwen/Qwen1.5-0.5B-Chat}. */
    public static ModelDirectory of(Path modelsDir, String modelId) {
        return new ModelDirectory(modelsDir.resolve(modelId.replace('/', '_')));
    }

    public boolean isComplete() {
        return missingFiles().isEmpty();
    }

    /** What a complete directory would have that this one lacks; empty when complete. */
    public List<String> missingFiles() {
        List<String> missing = new ArrayList<>();
        for (String file : REQUIRED_FILES) {
            if (!isNonEmptyFile(path.resolve(file))) {
                missing.add(file);
            }
        }
        Path index = path.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            for (String shard : shards(index)) {
                if (!isNonEmptyFile(path.resolve(shard))) {
                    missing.add(shard);
                }
            }
        } else if (!isNonEmptyFile(path.resolve("model.safetensors"))) {
            missing.add("model.safetensors");
        }
        return missing;
    }

    /**
     * The file that marks a checkpoint of random weights (written by {@code model.synthetic}, for tests and
     * benchmarks): the engine warns that its answers mean nothing.
     */
    public static final String SYNTHETIC_MARKER = "allinone-synthetic.json";

    /** True for checkpoints of random weights (see {@link #SYNTHETIC_MARKER}). */
    public boolean isSynthetic() {
        return Files.isRegularFile(path.resolve(SYNTHETIC_MARKER));
    }

    public Path resolve(String file) {
        return path.resolve(file);
    }

    @Override
    public String toString() {
        return path.toString();
    }

    /** Writes a directory's content somewhere. */
    @FunctionalInterface
    public interface Writer {
        void writeInto(Path directory) throws IOException;
    }

    /**
     * Creates {@code target} with the content {@code writer} produces, all or nothing: the writer fills a
     * hidden sibling directory, which is then renamed to {@code target}. On failure the partial directory is
     * deleted and the exception propagates.
     */
    public static void writeAtomically(Path target, Writer writer) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "delete it first to write it again");
        }
        Path partial = parent.resolve(PARTIAL_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
        Files.createDirectory(partial);
        try {
            writer.writeInto(partial);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target);
            }
        } catch (IOException | RuntimeException | Error e) {
            deleteRecursively(partial);
            throw e;
        }
    }

    /** Removes {@code .partial-*} directories that an earlier, interrupted run left behind. */
    public static void deleteLeftovers(Path modelsDir) throws IOException {
        if (!Files.isDirectory(modelsDir)) {
            return;
        }
        try (Stream<Path> children = Files.list(modelsDir)) {
            for (Path child : children.filter(p -> p.getFileName().toString().startsWith(PARTIAL_PREFIX)).toList()) {
                deleteRecursively(child);
            }
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static boolean isNonEmptyFile(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> shards(Path index) {
        try {
            JsonNode weightMap = JSON.readTree(index.toFile()).path("weight_map");
            List<String> files = new ArrayList<>();
            weightMap.forEach(node -> {
                if (!files.contains(node.asText())) {
                    files.add(node.asText());
                }
            });
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("Unreadable " + index, e);
        }
    }
}
