package dev.allinone.engine.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Kernel bandwidth on one matrix shape: {@code MatrixProbe rows cols threads}. */
public final class MatrixProbe {
    public static void main(String[] args) {
        int rows = Integer.parseInt(args[0]), cols = Integer.parseInt(args[1]);
        Parallel parallel = new Parallel(Integer.parseInt(args[2]));
        ByteBuffer data = ByteBuffer.allocateDirect(2 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(1);
        for (int i = 0; i < rows * cols; i++) {
            data.putShort((short) (Float.floatToIntBits((float) random.nextGaussian()) >>> 16));
        }
        data.flip();
        Safetensors.Tensor tensor = new Safetensors.Tensor("w", "BF16", new int[]{rows, cols}, data);
        Matrix[] ms = {new Bf16Matrix(data, rows, cols), Q8Matrix.quantize(tensor, parallel), Q4Matrix.quantize(tensor, parallel),
                Q4KMatrix.quantize(tensor, parallel)};
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian();
        float[] out = new float[rows];
        for (Matrix m : ms) {
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 6; round++) {
                long t0 = System.nanoTime();
                int reps = 20;
                for (int r = 0; r < reps; r++) {
                    parallel.rows(rows, (from, to) -> m.multiply(x, out, from, to));
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
            }
            System.out.printf("%s %dx%d: %.3f ms, %.1f GB/s%n", m.format(), rows, cols, best * 1e3, m.bytes() / best / 1e9);
            int n = 32;
            float[][] xs = new float[n][cols], outs = new float[n][rows];
            for (float[] xt : xs) for (int i = 0; i < cols; i++) xt[i] = (float) random.nextGaussian();
            double bestBatch = Double.MAX_VALUE;
            for (int round = 0; round < 6; round++) {
                long t0 = System.nanoTime();
                parallel.rows(rows, (from, to) -> m.multiply(xs, n, outs, from, to));
                bestBatch = Math.min(bestBatch, (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("%s %dx%d x %d tokens: %.3f ms, %.1f GFLOP/s%n", m.format(), rows, cols, n, bestBatch * 1e3,
                    2.0 * rows * cols * n / bestBatch / 1e9);
        }
        parallel.close();
    }
}
