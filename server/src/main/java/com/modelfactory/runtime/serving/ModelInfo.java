package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.answer.ModelTask;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.image.ImageInput;
import java.util.List;
import java.util.Map;

/**
 * Everything front ends report about the served model, fixed once it is loaded and warmed up.
 *
 * @param images        how images become the input, or null when the model cannot take images
 * @param imageProblem  why it cannot (null when it can)
 * @param engineDetails engine-specific facts (versions, every SavedModel signature, ...)
 * @param task          what the outputs are turned into (answer package)
 */
public record ModelInfo(String name, String version, ModelFormat format, String engine, String device,
                        Signature signature, ImageInput images, String imageProblem, List<String> labels,
                        Source source, Batching batching, Timings timings, int intraOpThreads,
                        Map<String, Object> engineDetails, ModelTask task) {

    public ModelInfo {
        labels = List.copyOf(labels);
        engineDetails = Map.copyOf(engineDetails);
        task = task != null ? task : ModelTask.raw("no task resolved");
    }

    /**
     * Throws NOT_FOUND unless {@code requested} (and {@code requestedVersion}, when given) name this
     * model: the check every protocol makes before metadata or inference.
     */
    public void requireNamed(String requested, String requestedVersion) {
        if (!name.equals(requested)) {
            throw ServingException.notFound("unknown model '" + requested + "'; this server serves '" + name + "'");
        }
        if (requestedVersion != null && !requestedVersion.isEmpty() && !requestedVersion.equals(version)) {
            throw ServingException.notFound("model '" + requested + "' has no version '" + requestedVersion
                    + "'; it has '" + version + "'");
        }
    }

    /** The input that takes images, or null when the model cannot take images. */
    public String imageInput() {
        return images == null ? null : images.inputName();
    }

    /** The preprocessing in effect, as GET /model reports it (or why images are not accepted). */
    public Map<String, Object> preprocessing() {
        return images != null ? images.describe() : Map.of("images", "not accepted: " + imageProblem);
    }

    /** The OIP / Triton platform name of the format. */
    public String platform() {
        return format.platform();
    }

    /**
     * Where the model came from and why it was read as its format.
     *
     * @param cacheKey  id/version folder in MODEL_DIR (null for a local path)
     * @param fromCache whether an earlier start's unpacked copy was reused
     */
    public record Source(String description, String formatReason, String modelPath, String cacheKey,
                         Boolean fromCache) {
    }

    /** The batching settings in effect (after the model's limits and the warm-up's measurements). */
    public record Batching(int maxBatchSize, double maxBatchDelayMs, int queueCapacity, int instances,
                           long requestTimeoutMs) {
    }

    /** @param warmupMs null when the warm-up was skipped (input shapes unknown) */
    public record Timings(long loadMs, Long warmupMs) {
    }
}
