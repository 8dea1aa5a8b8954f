package dev.allinone.model.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@code .safetensors} file of BF16 tensors: an 8-byte little-endian header length, a JSON header
 * with each tensor's dtype, shape and byte range, then the raw data in header order.
 *
 * <p>Tensors are declared first and their values produced while writing, so a full-size checkpoint (about
 * 1 GB) streams to disk without being held in memory.
 */
final class SafetensorsWriter {

    /** Produces the value of element {@code index} of a tensor, in row-major order. */
    @FunctionalInterface
    interface Values {
        float at(long index);
    }

    private record Tensor(String name, long[] shape, Values values) {
        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private static final int CHUNK_ELEMENTS = 1 << 20;

    private final List<Tensor> tensors = new ArrayList<>();

    void add(String name, long[] shape, Values values) {
        tensors.add(new Tensor(name, shape, values));
    }

    void write(Path file) throws IOException {
        byte[] header = header();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            length.putLong(header.length).flip();
            writeFully(out, length);
            writeFully(out, ByteBuffer.wrap(header));

            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_ELEMENTS * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor tensor : tensors) {
                long n = tensor.elements();
                for (long i = 0; i < n; i++) {
                    chunk.putShort(toBf16(tensor.values().at(i)));
                    if (!chunk.hasRemaining()) {
                        chunk.flip();
                        writeFully(out, chunk);
                        chunk.clear();
                    }
                }
            }
            chunk.flip();
            writeFully(out, chunk);
        }
    }

    private byte[] header() throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Tensor tensor : tensors) {
            long bytes = tensor.elements() * 2;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "BF16");
            info.put("shape", tensor.shape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(tensor.name(), info);
            offset += bytes;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        // The data section starts 8-byte aligned, as the format recommends: pad the header with spaces.
        int padded = (json.length + 7) / 8 * 8;
        byte[] result = new byte[padded];
        System.arraycopy(json, 0, result, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            result[i] = (byte) ' ';
        }
        return result;
    }

    /** Rounds to nearest even, as PyTorch does when it casts float32 to bfloat16. */
    static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
