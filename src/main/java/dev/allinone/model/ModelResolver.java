package dev.allinone.model;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;

/**
 * Finds the configured model on disk and downloads it when it is missing (unless offline). The result is a
 * complete directory as published; the engine decides how to hold its weights.
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
                        dir.path(), putFiles(dir) + ", or set allinone.model.offline=false to let it be downloaded at"
                        + " startup.", null);
            }
            download(dir);
        } else {
            log.info("Using model {} from {}", properties.id(), dir);
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
                    + " is kept), or " + lowerFirst(putFiles(dir)) + " and set allinone.model.offline=true.", e);
        }
        if (!dir.isComplete()) {
            throw new ModelUnavailableException("The download of " + properties.id() + " into " + dir
                    + " finished without " + String.join(", ", dir.missingFiles()) + ": it is not a safetensors model the engine can run.",
                    dir.path(), "Choose a model published as safetensors with config.json and tokenizer.json.", null);
        }
        log.info("Model {} is complete in {}", properties.id(), dir);
    }

    /** Where the files go and how to get them onto a machine without access to the hub. */
    private String putFiles(ModelDirectory dir) {
        return "Put the model's files (config.json, generation_config.json, tokenizer.json, tokenizer_config.json and"
                + " model.safetensors) into " + dir + " (e.g. `huggingface-cli download " + properties.id() + " --local-dir "
                + dir + "` on a machine with access)";
    }

    private static String lowerFirst(String s) {
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
