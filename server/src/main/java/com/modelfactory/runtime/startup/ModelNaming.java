package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.config.RuntimeConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The name the model is served under (/v2/models/{name}, metric labels), known before the model is
 * obtained: MODEL_NAME, else the store's MODEL_ID, else the model file's or folder's name.
 */
public final class ModelNaming {
    static final String DEFAULT_NAME = "default-model";

    private ModelNaming() {
    }

    public static String servedName(RuntimeConfig config) {
        if (config.model().name() != null) {
            return config.model().name();
        }
        if (config.store().modelId() != null && config.model().location() == null) {
            return sanitize(config.store().modelId());
        }
        String location = config.model().location();
        if (location == null) {
            return DEFAULT_NAME;
        }
        return fromPath(location.contains("://") ? Path.of(lastSegment(location)) : Path.of(location));
    }

    private static String lastSegment(String url) {
        String path = URI.create(url).getPath();
        String trimmed = path == null ? "" : path.replaceAll("/+$", "");
        String last = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        return last.isEmpty() ? "model" : last;
    }

    /** The file's name without extensions; a TF Serving version folder ("1") is named by its parent. */
    static String fromPath(Path path) {
        Path p = path.toAbsolutePath().normalize();
        String file = p.getFileName() == null ? "model" : p.getFileName().toString();
        if (file.matches("\\d+") && p.getParent() != null && (Files.isDirectory(p) || !Files.exists(p))) {
            file = p.getParent().getFileName().toString();
        }
        String base = file.replaceFirst("\\.tar\\.gz$", "");
        int dot = base.lastIndexOf('.');
        base = dot > 0 ? base.substring(0, dot) : base;
        if (base.equals("model") && p.getParent() != null && p.getParent().getFileName() != null) {
            base = p.getParent().getFileName().toString();
        }
        return sanitize(base);
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
