package com.modelfactory.runtime.lifecycle;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.ChildRuntime;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One exit code per cause, as README lists them; 3 stays the JVM's own for OutOfMemoryError. */
class ExitCodeTest {
    @TempDir
    Path tmp;

    private static int exitOf(ChildRuntime child) throws Exception {
        assertTrue(child.process().waitFor(120, TimeUnit.SECONDS), "the runtime did not exit");
        return child.process().exitValue();
    }

    @Test
    void aBusyPortIsFour() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ChildRuntime child = ChildRuntime.start(List.of(), "--model",
                     fixture("onnx/tiny_cnn/model.onnx").toString(), "--port", Integer.toString(taken.getLocalPort()))) {
            assertEquals(ExitCodes.PORT, exitOf(child), child.log());
            assertEquals(4, ExitCodes.PORT);
            assertTrue(child.log().contains("cannot listen on"), child.log());
        }
    }

    @Test
    void aBrokenModelIsOneAndAnInvalidSettingIsTwo() throws Exception {
        Path broken = Files.write(tmp.resolve("broken.onnx"), new byte[] {8, 7, 18, 4, 't', 'e', 's', 't'});
        try (ChildRuntime child = ChildRuntime.start(List.of(), "--model", broken.toString())) {
            assertEquals(ExitCodes.MODEL, exitOf(child), child.log());
        }
        try (ChildRuntime child = ChildRuntime.start(List.of(), "--max-batch-size", "lots")) {
            assertEquals(ExitCodes.CONFIG, exitOf(child), child.log());
            assertTrue(child.log().contains("max_batch_size"), child.log());
        }
    }

    @Test
    void everyCauseHasItsOwnCodeAndThreeIsLeftToTheJvm() {
        // 3 is what -XX:+ExitOnOutOfMemoryError (the launcher's default) exits with.
        assertEquals(3, ExitCodes.OUT_OF_MEMORY);
        assertEquals(7, java.util.Set.of(ExitCodes.OK, ExitCodes.MODEL, ExitCodes.CONFIG, ExitCodes.OUT_OF_MEMORY,
                ExitCodes.PORT, ExitCodes.BATCH_IO, ExitCodes.DRAIN_FAILED).size());
        assertTrue(ExitCodes.IMAGES_FAILED > ExitCodes.DRAIN_FAILED, "batch failure counts start above the fixed codes");
    }
}
