package dev.allinone.engine.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The tensors of a model directory's {@code *.safetensors} files, each memory-mapped on its own (read in
 * place; a tensor is at most 2 GB). Used while loading; the mappings go when this is no longer referenced.
 */
final class Safetensors {

    /** One tensor: its element type ({@code BF16}, {@code F32}, ...), shape and little-endian bytes. */
    record Tensor(String name, String dtype, int[] shape, ByteBuffer data, Path file, long offset) {

        Tensor(String name, String dtype, int[] shape, ByteBuffer data) {
            this(name, dtype, shape, data, null, 0);
        }

        int rows() {
            return shape[0];
        }

        int cols() {
            return shape.length == 1 ? 1 : shape[1];
        }

        /** One value of a BF16 matrix. */
        float bf16(int row, int col) {
            return Float.intBitsToFloat(data.getShort((int) (2L * ((long) row * shape[1] + col))) << 16);
        }

        /** The values as floats (for vectors: norms, biases). */
        float[] toFloats() {
            int n = Math.toIntExact(shape.length == 1 ? shape[0] : (long) shape[0] * shape[1]);
            float[] out = new float[n];
            switch (dtype) {
                case "BF16" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.intBitsToFloat(data.getShort(2 * i) << 16);
                    }
                }
                case "F32" -> data.asFloatBuffer().get(out);
                default -> throw new IllegalStateException(name + ": unsupported type " + dtype);
            }
            return out;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Tensor> tensors = new HashMap<>();

    Safetensors(Path modelDir) {
        try (Stream<Path> files = Files.list(modelDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                read(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the weights in " + modelDir, e);
        }
        if (tensors.isEmpty()) {
            throw new IllegalStateException("No .safetensors weights in " + modelDir);
        }
    }

    private void read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(length, 0);
            long headerLength = length.flip().getLong();
            ByteBuffer header = ByteBuffer.allocate(Math.toIntExact(headerLength));
            channel.read(header, 8);
            JsonNode entries = JSON.readTree(header.array());
            long base = 8 + headerLength;
            for (Iterator<Map.Entry<String, JsonNode>> it = entries.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode info = e.getValue();
                int[] shape = new int[info.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = info.get("shape").get(i).asInt();
                }
                long begin = info.get("data_offsets").get(0).asLong();
                long end = info.get("data_offsets").get(1).asLong();
                ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, base + begin, end - begin)
                        .order(ByteOrder.LITTLE_ENDIAN);
                tensors.put(e.getKey(), new Tensor(e.getKey(), info.get("dtype").asText(), shape, data, file, base + begin));
            }
        }
    }

    boolean has(String name) {
        return tensors.containsKey(name);
    }

    Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalStateException("The checkpoint has no tensor " + name);
        }
        return t;
    }
}
