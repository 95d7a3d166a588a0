package com.modelfactory.runtime.batch.ymir;

import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.format.FormatDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which model a YMIR task runs. {@code model_params_path} lists the chosen stage's files
 * ({@code /in/models/<stage>/<file>}); a listed path that is missing is looked for by its base name
 * directly in models_dir (old packages, YMIR.md section 5). The first listed file whose content is a
 * model is the model (its folder for a SavedModel or a checkpoint); if none is, the folder of the first
 * listed file, for the format detection to decide. With nothing listed, models_dir itself when it holds
 * more than ymir-info.yaml; else empty: the runtime's configured source (MODEL_PATH, the store) applies.
 */
final class YmirModel {
    private static final Logger log = LoggerFactory.getLogger(YmirModel.class);

    private YmirModel() {
    }

    /** Thrown when the task names model files and none of them exists. */
    static final class MissingModelException extends IOException {
        MissingModelException(String message) {
            super(message);
        }
    }

    static Optional<Path> choose(List<String> params, Path modelsDir) throws IOException {
        List<Path> present = new ArrayList<>();
        for (String listed : params) {
            Path p = Path.of(listed);
            Path file = p.isAbsolute() ? p : modelsDir.resolve(p);
            Path fallback = file.getFileName() == null ? null : modelsDir.resolve(file.getFileName());
            if (Files.exists(file)) {
                present.add(file);
            } else if (fallback != null && Files.exists(fallback)) {
                log.info("YMIR: {} is missing; using {} (same name in models_dir)", file, fallback);
                present.add(fallback);
            } else {
                log.warn("YMIR: model_params_path lists {}, which does not exist", listed);
            }
        }
        if (!params.isEmpty() && present.isEmpty()) {
            throw new MissingModelException("none of model_params_path " + params + " exists");
        }
        for (Path p : present) {
            Optional<ModelFormat> format = Files.isRegularFile(p) ? FormatDetector.fileFormat(p) : Optional.empty();
            if (format.isPresent()) {
                boolean folderFormat = format.get() == ModelFormat.SAVED_MODEL || format.get() == ModelFormat.TF_CHECKPOINT;
                return Optional.of(folderFormat ? p.toAbsolutePath().getParent() : p);
            }
        }
        if (!present.isEmpty()) {
            Path first = present.get(0);
            return Optional.of(Files.isDirectory(first) ? first : first.toAbsolutePath().getParent());
        }
        return holdsModelFiles(modelsDir) ? Optional.of(modelsDir) : Optional.empty();
    }

    private static boolean holdsModelFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> !f.getFileName().toString().equals("ymir-info.yaml"));
        }
    }
}
