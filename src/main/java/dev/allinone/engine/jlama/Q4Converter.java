package dev.allinone.engine.jlama;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.safetensors.TensorInfo;
import com.github.tjake.jlama.safetensors.WeightLoader;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.Q4ByteBufferTensor;
import dev.allinone.engine.api.EngineSetupException;
import dev.allinone.model.ModelDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Converts a model directory to Jlama's blockwise Q4 format once, into {@code <dir>-Q4} next to it. The same
 * transformation as Jlama's own {@code SafeTensorSupport.quantizeModel} (every tensor Jlama can quantize is
 * quantized, with its block scales in a {@code .qb} companion tensor), but written inside the models
 * directory and atomically, so nothing is left in the temp directory and a half-converted copy is never used.
 */
final class Q4Converter {

    private static final Logger log = LoggerFactory.getLogger(Q4Converter.class);

    private Q4Converter() {
    }

    /** The Q4 copy of {@code modelDir}: converted now if it is not there yet, else as kept. */
    static Path convertedOnce(Path modelDir) {
        ModelDirectory source = new ModelDirectory(modelDir);
        ModelDirectory target = converted(source);
        if (target.isComplete()) {
            log.info("Jlama Q4: using the converted copy in {}", target);
            return target.path();
        }
        log.info("Jlama Q4: converting {} once into {} ...", source, target);
        long start = System.nanoTime();
        try {
            convert(source, target);
        } catch (IOException | RuntimeException e) {
            throw new EngineSetupException("Converting " + source + " to Jlama's Q4 failed: " + e,
                    "Free disk space in " + modelDir.getParent() + " or set allinone.engine.weight-format=bf16.");
        }
        log.info("Jlama Q4: converted in {} s", String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        return target.path();
    }

    static ModelDirectory converted(ModelDirectory source) {
        return new ModelDirectory(source.path().resolveSibling(source.path().getFileName() + "-Q4"));
    }

    static void convert(ModelDirectory source, ModelDirectory target) throws IOException {
        ModelDirectory.writeAtomically(target.path(), dir -> {
            copyEverythingButWeights(source.path(), dir);
            writeQ4Weights(source, dir.resolve("model.safetensors"));
        });
    }

    private static void copyEverythingButWeights(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".safetensors") && !name.equals("model.safetensors.index.json")) {
                    Files.copy(file, to.resolve(name));
                }
            }
        }
    }

    private static void writeQ4Weights(ModelDirectory source, Path target) throws IOException {
        Path data = target.resolveSibling("model.safetensors.data");
        Map<String, TensorInfo> written = new LinkedHashMap<>();
        WeightLoader weights = SafeTensorSupport.loadWeights(source.path().toFile());
        try (FileChannel out = FileChannel.open(data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (String name : weights.tensorInfoMap().keySet()) {
                try (AbstractTensor original = weights.load(name)) {
                    AbstractTensor t = original.quantize(DType.Q4);
                    written.put(name, t.save(out));
                    if (t instanceof Q4ByteBufferTensor q4) {
                        written.put(name + ".qb", q4.getBlockF().save(out));
                    }
                }
            }
        }
        byte[] header = new ObjectMapper().writeValueAsBytes(written);
        try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw"); FileChannel out = raf.getChannel();
             FileChannel in = FileChannel.open(data, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            out.write(length);
            out.write(ByteBuffer.wrap(header));
            long size = in.size();
            for (long pos = 0; pos < size; ) {
                pos += in.transferTo(pos, size - pos, out);
            }
        } finally {
            Files.deleteIfExists(data);
        }
    }
}
