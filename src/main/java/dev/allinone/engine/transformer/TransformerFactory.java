package dev.allinone.engine.transformer;

import java.nio.file.Path;

/** Loads the neural network from a model directory. The seam where a different implementation plugs in. */
@FunctionalInterface
public interface TransformerFactory {

    Transformer load(Path modelDir, int threads);
}
