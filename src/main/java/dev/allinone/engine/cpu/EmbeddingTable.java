package dev.allinone.engine.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * The token embeddings (151,936 rows of BF16 for Qwen1.5-0.5B: 300 MB), read from the checkpoint one row per
 * token as it is needed: a 2 KB read per token costs nothing next to a forward pass, and the table stays out
 * of the heap and out of the process's memory.
 */
final class EmbeddingTable implements AutoCloseable {

    private final FileChannel channel;
    private final long offset;
    private final int cols;
    private final ByteBuffer row;

    EmbeddingTable(Safetensors.Tensor table) {
        if (!table.dtype().equals("BF16") || table.file() == null) {
            throw new IllegalStateException("The embeddings must be BF16 in a file, not " + table.dtype());
        }
        try {
            this.channel = FileChannel.open(table.file(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open " + table.file(), e);
        }
        this.offset = table.offset();
        this.cols = table.cols();
        this.row = ByteBuffer.allocate(2 * cols).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The embedding of {@code token}, into {@code out}. One caller at a time (the model's thread). */
    void embed(int token, float[] out) {
        row.clear();
        try {
            long at = offset + 2L * token * cols;
            while (row.hasRemaining()) {
                if (channel.read(row, at + row.position()) < 0) {
                    throw new IOException("unexpected end of file");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the embedding of token " + token, e);
        }
        for (int c = 0; c < cols; c++) {
            out[c] = Float.intBitsToFloat(row.getShort(2 * c) << 16);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing to lose
        }
    }
}
