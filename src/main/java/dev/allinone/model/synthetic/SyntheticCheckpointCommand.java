package dev.allinone.model.synthetic;

import dev.allinone.model.ModelDirectory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./mvnw compile exec:exec@synthetic-model -Dsize=tiny|full}: writes a random-weight checkpoint with
 * the real Qwen1.5-0.5B-Chat config and tokenizer into {@code models/}, where the service finds it as if it
 * had been downloaded. For offline smoke runs and benchmarks.
 *
 * <p>Options: {@code --size=tiny|full} (default tiny), {@code --models-dir=DIR} (default ./models),
 * {@code --id=OWNER/NAME} (default Qwen/Qwen1.5-0.5B-Chat), {@code --seed=N}, {@code --force} (replace an
 * existing directory).
 */
public final class SyntheticCheckpointCommand {

    private SyntheticCheckpointCommand() {
    }

    public static void main(String[] args) throws Exception {
        SyntheticCheckpoint.Size size = SyntheticCheckpoint.Size.TINY;
        Path modelsDir = Path.of("models");
        String id = "Qwen/Qwen1.5-0.5B-Chat";
        long seed = 42;
        boolean force = false;
        for (String arg : args) {
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
            if (arg.startsWith("--size=")) {
                size = SyntheticCheckpoint.Size.parse(value);
            } else if (arg.startsWith("--models-dir=")) {
                modelsDir = Path.of(value);
            } else if (arg.startsWith("--id=")) {
                id = value;
            } else if (arg.startsWith("--seed=")) {
                seed = Long.parseLong(value);
            } else if (arg.equals("--force") || arg.startsWith("--force=")) {
                force = value.isEmpty() || Boolean.parseBoolean(value);
            } else {
                System.err.println("Unknown option " + arg
                        + "; use --size=tiny|full --models-dir=DIR --id=OWNER/NAME --seed=N --force[=true|false]");
                System.exit(2);
            }
        }

        ModelDirectory target = ModelDirectory.of(modelsDir, id);
        if (Files.exists(target.path())) {
            if (!force) {
                System.out.println(target + " already exists; add --force (-Dforce=true with Maven) to replace it.");
                return;
            }
            Path trash = target.path().resolveSibling(".partial-replaced-" + System.nanoTime());
            Files.move(target.path(), trash);
            ModelDirectory.deleteLeftovers(modelsDir);
        }
        long start = System.nanoTime();
        SyntheticCheckpoint.write(target.path(), size, seed);
        System.out.printf("Wrote a %s synthetic checkpoint (random weights, real config and tokenizer) to %s in %.1f s%n",
                size.name().toLowerCase(java.util.Locale.ROOT), target, (System.nanoTime() - start) / 1e9);
    }
}
