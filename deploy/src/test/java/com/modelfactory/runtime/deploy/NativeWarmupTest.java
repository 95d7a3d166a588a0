package com.modelfactory.runtime.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image-build warm-up extracts the engines' natives into the folder it is given. */
class NativeWarmupTest {
    @TempDir
    Path nativeDir;

    @Test
    void extractsOnnxRuntimeNativesThroughTheEngineSeam() throws Exception {
        List<NativeWarmup.Outcome> outcomes = NativeWarmup.prepareEngines(Device.CPU, nativeDir);
        assertFalse(outcomes.isEmpty(), "no engine on the class path");
        assertTrue(outcomes.stream().allMatch(NativeWarmup.Outcome::ok), outcomes.toString());
        try (Stream<Path> files = Files.walk(nativeDir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("libonnxruntime.so")),
                    "libonnxruntime.so not extracted under " + nativeDir);
        }
    }
}
