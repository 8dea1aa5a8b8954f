package dev.allinone.model;

import dev.allinone.engine.Kernels;
import dev.allinone.engine.jlama.Q4Converter;
import dev.allinone.engine.transformer.WeightFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;

/**
 * Finds the configured model on disk, downloads it when it is missing (unless offline), and converts it to the
 * configured weight format once. The result is a complete directory ready to load.
 */
public class ModelResolver {

    private static final Logger log = LoggerFactory.getLogger(ModelResolver.class);

    private final ModelProperties properties;
    private final HuggingFaceHub hub;
    private final ModelStatus status;

    public ModelResolver(ModelProperties properties, HuggingFaceHub hub, ModelStatus status) {
        this.properties = properties;
        this.hub = hub;
        this.status = status;
    }

    public ModelDirectory resolve() {
        ModelDirectory dir = properties.directory();
        try {
            ModelDirectory.deleteLeftovers(dir.path().getParent());
        } catch (IOException e) {
            log.warn("Could not remove leftovers of an interrupted download in {}: {}", dir.path().getParent(), e.toString());
        }
        if (!dir.isComplete()) {
            if (Files.exists(dir.path())) {
                throw new ModelUnavailableException(
                        "The model directory " + dir + " is incomplete: it lacks " + String.join(", ", dir.missingFiles()) + ".",
                        dir.path(), "Add the missing files, or delete the directory so that the model is downloaded again"
                        + " (allinone.model.offline=false).", null);
            }
            if (properties.offline()) {
                throw new ModelUnavailableException(
                        "The model " + properties.id() + " is not in " + dir + ", and allinone.model.offline=true forbids downloading it.",
                        dir.path(), howToFill(dir), null);
            }
            download(dir);
        } else {
            log.info("Using model {} from {}", properties.id(), dir);
        }
        if (properties.kernels() == Kernels.JLAMA && properties.weightFormat() == WeightFormat.Q8) {
            throw new ModelUnavailableException("Weight format Q8 runs on allinone's kernels only (Jlama 0.8.4's Q8 crashes).",
                    dir.path(), "Set allinone.model.kernels=allinone, or weight-format q4 or as-is.", null);
        }
        if (properties.kernels() == Kernels.JLAMA && properties.weightFormat() == WeightFormat.Q4) {
            return toQ4(dir); // allinone's kernels quantize while loading, from the checkpoint as published
        }
        return dir;
    }

    private void download(ModelDirectory dir) {
        status.set(ModelStatus.Phase.DOWNLOADING, "listing files");
        try {
            hub.download(properties.id(), properties.revision(), dir.path(), new DownloadProgressLog(properties.id(), status));
        } catch (IOException | RuntimeException e) {
            throw new ModelUnavailableException(
                    "Downloading " + properties.id() + " from " + properties.hubUrl() + " into " + dir + " failed: " + e.getMessage(),
                    dir.path(), "Check the network and allinone.model.hub-url / hub-token and start again (nothing partial"
                    + " is kept), or " + lowerFirst(howToFill(dir)), e);
        }
        if (!dir.isComplete()) {
            throw new ModelUnavailableException("The download of " + properties.id() + " into " + dir
                    + " finished without " + String.join(", ", dir.missingFiles()) + ": it is not a safetensors model Jlama can run.",
                    dir.path(), "Choose a model published as safetensors with config.json and tokenizer.json.", null);
        }
        log.info("Model {} is complete in {}", properties.id(), dir);
    }

    private ModelDirectory toQ4(ModelDirectory source) {
        ModelDirectory target = Q4Converter.converted(source);
        if (target.isComplete()) {
            log.info("Weight format Q4: using the converted copy in {}", target);
            return target;
        }
        status.set(ModelStatus.Phase.CONVERTING, "converting weights to Q4");
        log.info("Weight format Q4: converting {} once into {} ...", source, target);
        long start = System.nanoTime();
        try {
            Q4Converter.convert(source, target);
        } catch (IOException | RuntimeException e) {
            throw new ModelUnavailableException("Converting " + source + " to Q4 failed: " + e.getMessage(), target.path(),
                    "Free disk space in " + target.path().getParent() + " or set allinone.model.weight-format=as-is.", e);
        }
        log.info("Weight format Q4: converted in {} s", String.format("%.1f", (System.nanoTime() - start) / 1e9));
        return target;
    }

    private String howToFill(ModelDirectory dir) {
        return "Put the model's files (config.json, generation_config.json, tokenizer.json, tokenizer_config.json and"
                + " model.safetensors) into " + dir + " - e.g. `huggingface-cli download " + properties.id() + " --local-dir "
                + dir + "` on a machine with access -, or set allinone.model.offline=false to let the service download it."
                + " For an offline smoke run with random weights: ./mvnw compile exec:exec@synthetic-model";
    }

    private static String lowerFirst(String s) {
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
