package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.config.RuntimeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Class labels for top-k answers: the configured file, else labels.txt beside the model. */
final class Labels {
    private static final Logger log = LoggerFactory.getLogger(Labels.class);

    private Labels() {
    }

    static List<String> read(RuntimeConfig config, Path modelPath) {
        Path file = config.model().labels();
        if (file == null) {
            Path dir = Files.isDirectory(modelPath) ? modelPath : modelPath.toAbsolutePath().getParent();
            file = dir == null ? null : dir.resolve("labels.txt");
            if (file == null || !Files.isRegularFile(file)) {
                return List.of();
            }
        }
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            log.warn("labels file {} could not be read: {}", file, e.getMessage());
            return List.of();
        }
    }
}
