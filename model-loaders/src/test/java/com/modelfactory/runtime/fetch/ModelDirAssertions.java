package com.modelfactory.runtime.fetch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What may remain under MODEL_DIR after a failed acquisition: lock files and an empty temp folder. */
final class ModelDirAssertions {
    private ModelDirAssertions() {
    }

    static void assertNothingHalfWritten(Path modelDir) throws IOException {
        if (!Files.exists(modelDir)) {
            return;
        }
        List<String> left;
        try (Stream<Path> walk = Files.walk(modelDir)) {
            left = walk.filter(p -> !p.equals(modelDir))
                    .map(p -> modelDir.relativize(p).toString().replace('\\', '/'))
                    .filter(rel -> !rel.equals(ModelCache.LOCKS) && !rel.equals(ModelCache.TMP)
                            && !(rel.startsWith(ModelCache.LOCKS + "/") && rel.endsWith(".lock")))
                    .sorted().toList();
        }
        assertTrue(left.isEmpty(), "left under MODEL_DIR after a failure: " + left);
    }
}
