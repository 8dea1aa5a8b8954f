package dev.allinone.engine.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Whether the Vector API kernels run as vector instructions in this JVM. They do only once HotSpot's C2 compiler
 * has compiled them; without it (for example {@code -XX:TieredStopAtLevel=1}, which Spring Boot's
 * {@code spring-boot:run} adds unless {@code optimizedLaunch} is false, or {@code -Xint}) every vector operation
 * is an object on the heap and the model runs 100 times slower, with nothing else to show for it.
 *
 * <p>Two looks: the JVM's own flags (the usual causes, named exactly), and a timed product on a small BF16
 * matrix, repeated until the compiler has had its chance (compiled code reaches tens of GFLOP/s per thread,
 * uncompiled code well under one), whose figure the engine reports.
 */
public final class CompiledKernelsCheck {

    /** Compiled kernels do tens of GFLOP/s per thread on any machine with vector units; uncompiled ones ~0.05. */
    static final double MIN_GFLOPS = 1.0;
    private static final int ROWS = 256, COLS = 1024;
    private static final long WINDOW_NANOS = 25_000_000L, MAX_NANOS = 30_000_000_000L,
            FLAGGED_NANOS = 500_000_000L;

    /**
     * The check's finding.
     *
     * @param compiled whether the kernels run compiled
     * @param gflops   the product's speed on one thread, in GFLOP/s, once it settled
     * @param cause    why they do not, with the cure; empty when they do
     */
    public record Verdict(boolean compiled, double gflops, Optional<String> cause) {

        public String summary() {
            return String.format(Locale.ROOT, "%s (%.1f GFLOP/s on one thread)", compiled ? "compiled" : "NOT compiled", gflops);
        }
    }

    private CompiledKernelsCheck() {
    }

    /**
     * Runs the check on the calling thread: ~0.1–0.3 s when the kernels compile, longer while the JIT compiler is
     * busy with the rest of a starting application (its queue is long on two cores), up to 30 s when they never
     * compile. The engine runs it beside the model's load.
     */
    public static Verdict run() {
        Optional<String> flagCause = flagCause();
        if (flagCause.isPresent()) {
            return new Verdict(false, timedProduct(FLAGGED_NANOS), flagCause); // the figure, for the record
        }
        double gflops = timedProduct(MAX_NANOS);
        if (gflops < MIN_GFLOPS) {
            return new Verdict(false, gflops, Optional.of(String.format(Locale.ROOT, "a %dx%d matrix product runs at "
                    + "%.2f GFLOP/s, far below what compiled vector code does: the JIT compiler did not compile the "
                    + "Vector API (is C2 disabled, e.g. -XX:TieredStopAtLevel, -XX:-UseCompiler, or -XX:UseAVX=0?)",
                    ROWS, COLS, gflops)));
        }
        return new Verdict(true, gflops, Optional.empty());
    }

    /** The flags that keep C2 from running, named as the user can find them. */
    public static Optional<String> flagCause() {
        if (String.valueOf(System.getProperty("java.vm.info")).contains("interpreted mode")) {
            return Optional.of("the JVM runs with -Xint (interpreter only): remove it");
        }
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            int stopAt = Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue());
            boolean tiered = Boolean.parseBoolean(hotspot.getVMOption("TieredCompilation").getValue());
            if (tiered && stopAt < 4) {
                return Optional.of("the JVM runs with -XX:TieredStopAtLevel=" + stopAt + ", so the C2 compiler never "
                        + "compiles the Vector API kernels. Remove the flag; with ./mvnw spring-boot:run it comes from "
                        + "Spring Boot's optimized launch: set <optimizedLaunch>false</optimizedLaunch> in the "
                        + "spring-boot-maven-plugin's configuration");
            }
        } catch (RuntimeException | LinkageError notHotSpot) {
            // Another JVM: the timed product decides.
        }
        return Optional.empty();
    }

    /**
     * GFLOP/s of a one-token product on one thread (the best window), in windows of 25 ms until three windows in a
     * row agree within 20% above the threshold (compiled), or until 30 s have passed: on two busy cores right after
     * startup the compiler's queue can hold the product back for over 10 s (seen once in CI, at 0.7 GFLOP/s).
     */
    private static double timedProduct(long maxNanos) {
        ByteBuffer weights = ByteBuffer.allocate(2 * ROWS * COLS);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < ROWS * COLS; i++) {
            weights.putShort((short) (Float.floatToRawIntBits((float) random.nextDouble(-1, 1)) >>> 16));
        }
        Bf16Matrix matrix = new Bf16Matrix(weights.flip(), ROWS, COLS);
        float[] x = new float[COLS], out = new float[ROWS];
        for (int i = 0; i < COLS; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        long begin = System.nanoTime();
        double last = 0, best = 0;
        int agreeing = 0;
        while (System.nanoTime() - begin < maxNanos) {
            long windowStart = System.nanoTime();
            long products = 0;
            while (System.nanoTime() - windowStart < WINDOW_NANOS) {
                matrix.multiply(x, out, 0, ROWS);
                products++;
            }
            double gflops = 2.0 * ROWS * COLS * products / (System.nanoTime() - windowStart);
            agreeing = gflops >= MIN_GFLOPS && Math.abs(gflops - last) <= 0.2 * Math.max(gflops, last) ? agreeing + 1 : 0;
            last = gflops;
            best = Math.max(best, gflops);
            if (agreeing >= 3) {
                break;
            }
        }
        return best;
    }
}
