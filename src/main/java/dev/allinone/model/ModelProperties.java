package dev.allinone.model;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Which model to run and where its files come from ({@code allinone.model.*}). How it runs is the engine's
 * ({@code allinone.engine.*}).
 *
 * @param id             Hugging Face model id, owner/name
 * @param revision       branch, tag or commit on the hub
 * @param modelsDir      where model directories live; the model is <models-dir>/<owner>_<name>
 * @param hubUrl         Hugging Face hub (or a mirror that serves the same URLs)
 * @param hubToken       access token for gated or private models; empty for public ones
 * @param offline        never download: a missing model stops startup with instructions
 * @param downloadTimeout how long a download may stall (connect or read) before it fails
 */
@Validated
@ConfigurationProperties("allinone.model")
public record ModelProperties(
        @DefaultValue("Qwen/Qwen1.5-0.5B-Chat")
        @NotBlank @Pattern(regexp = "[\\w.-]+/[\\w.-]+", message = "must look like owner/name") String id,
        @DefaultValue("main") @NotBlank @Pattern(regexp = "[\\w./-]+") String revision,
        @DefaultValue("./models") @NotNull Path modelsDir,
        @DefaultValue("https://huggingface.co") @NotNull URI hubUrl,
        String hubToken,
        @DefaultValue("false") boolean offline,
        @DefaultValue("60s") @NotNull Duration downloadTimeout) {

    public ModelDirectory directory() {
        return ModelDirectory.of(modelsDir, id);
    }
}
