package dev.allinone.engine.jlama;

import dev.allinone.model.ModelDirectory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.safetensors.TensorInfo;
import com.github.tjake.jlama.safetensors.WeightLoader;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.Q4ByteBufferTensor;
import com.github.tjake.jlama.safetensors.DType;

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
public final class Q4Converter {

    private Q4Converter() {
    }

    public static ModelDirectory converted(ModelDirectory source) {
        return new ModelDirectory(source.path().resolveSibling(source.path().getFileName() + "-Q4"));
    }

    public static void convert(ModelDirectory source, ModelDirectory target) throws IOException {
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
