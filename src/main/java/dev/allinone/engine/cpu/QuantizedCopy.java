package dev.allinone.engine.cpu;

import dev.allinone.engine.transformer.WeightFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The quantized matrices of a checkpoint, written beside it at the first start
 * ({@code models/<owner>_<name>-allinone-q4/weights.bin}) and read at the next ones instead of quantizing
 * again. The copy names the files it was made from (sizes and times) and the format's version; when they no
 * longer match it is made again. If it cannot be written (a read-only directory), the weights are quantized at
 * every start, as before.
 */
final class QuantizedCopy {

    private static final Logger log = LoggerFactory.getLogger(QuantizedCopy.class);
    private static final int MAGIC = 0x414C5131; // "ALQ1"
    /** Bump when a format's layout or rounding changes. */
    private static final int VERSION = 2;

    private final Path file;
    private final String fingerprint;

    QuantizedCopy(Path modelDir, WeightFormat format) {
        String suffix = "-allinone-" + format.name().toLowerCase(java.util.Locale.ROOT);
        this.file = modelDir.resolveSibling(modelDir.getFileName() + suffix).resolve("weights.bin");
        this.fingerprint = fingerprint(modelDir, format);
    }

    Path file() {
        return file;
    }

    /** The stored matrices by tensor name, or null when there is no copy of these weights in this format. */
    Map<String, Matrix> read() {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        // Mapped and copied straight into the arrays: one copy of the bytes (a stream read copies them twice,
        // through a buffer of its own, which was most of the load's time).
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer in = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            if (in.getInt() != MAGIC || !utf(in).equals(fingerprint)) {
                log.info("The quantized copy {} is of other weights or an older format; making it again", file);
                return null;
            }
            int count = in.getInt();
            Map<String, Matrix> matrices = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = utf(in);
                String format = utf(in);
                int rows = in.getInt(), cols = in.getInt();
                byte[] data = new byte[in.getInt()];
                in.get(data);
                float[] scales = new float[in.getInt()];
                in.slice(in.position(), 4 * scales.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(scales);
                in.position(in.position() + 4 * scales.length);
                matrices.put(name, switch (format) {
                    case "Q8" -> new Q8Matrix(data, scales, rows, cols);
                    case "Q4" -> new Q4Matrix(data, scales, rows, cols);
                    case "Q4K" -> new Q4KMatrix(data, scales, rows, cols);
                    default -> throw new IOException("unknown matrix format " + format);
                });
            }
            return matrices;
        } catch (IOException | RuntimeException e) {
            log.warn("Could not read the quantized copy {} ({}); quantizing again", file, e.toString());
            return null;
        }
    }

    /** A string as {@link DataOutputStream#writeUTF} wrote it: its length in two bytes, then modified UTF-8. */
    private static String utf(ByteBuffer in) throws IOException {
        byte[] written = new byte[2 + Short.toUnsignedInt(in.getShort(in.position()))];
        in.get(written);
        return new DataInputStream(new java.io.ByteArrayInputStream(written)).readUTF();
    }

    /** Writes the matrices (whole, then moved into place: a crash never leaves half a copy). */
    void write(Map<String, BlockMatrix> matrices) {
        Path temporary = null;
        try {
            Files.createDirectories(file.getParent());
            // A name of its own: two processes starting at once each write their own and the last move wins.
            temporary = Files.createTempFile(file.getParent(), "weights", ".partial");
            try (OutputStream raw = Files.newOutputStream(temporary);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
                out.writeInt(MAGIC);
                out.writeUTF(fingerprint);
                out.writeInt(matrices.size());
                for (Map.Entry<String, BlockMatrix> e : matrices.entrySet()) {
                    BlockMatrix m = e.getValue();
                    out.writeUTF(e.getKey());
                    out.writeUTF(m.format());
                    out.writeInt(m.rows);
                    out.writeInt(m.cols);
                    out.writeInt(m.data.length);
                    out.write(m.data);
                    out.writeInt(m.scales.length);
                    ByteBuffer bytes = ByteBuffer.allocate(4 * m.scales.length).order(ByteOrder.LITTLE_ENDIAN);
                    bytes.asFloatBuffer().put(m.scales);
                    out.write(bytes.array());
                }
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log.info("Kept the quantized weights in {} for the next start", file);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not keep the quantized weights in {} ({}); they will be quantized again at the next start",
                    file, e.toString());
            try {
                if (temporary != null) {
                    Files.deleteIfExists(temporary);
                }
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    private static String fingerprint(Path modelDir, WeightFormat format) {
        StringBuilder f = new StringBuilder(format.name()).append(" v").append(VERSION);
        try (Stream<Path> files = Files.list(modelDir)) {
            for (Path p : files.filter(x -> x.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                f.append(';').append(p.getFileName()).append(':').append(Files.size(p)).append(':')
                        .append(Files.getLastModifiedTime(p).toMillis());
            }
        } catch (IOException e) {
            f.append(";unreadable");
        }
        return f.toString();
    }
}
