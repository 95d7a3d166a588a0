package com.modelfactory.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.fetch.LoopbackStore;
import com.modelfactory.runtime.testing.ChildRuntime;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod stopped while its model is still downloading: SIGTERM during start-up exits 0 at once and
 * leaves no temporary folder (the JVM's default handling exited 143 and left them).
 */
class SigtermDuringStartupTest {
    @TempDir
    Path tmp;

    @Test
    void sigtermDuringADownloadExitsZeroAndCleansUp() throws Exception {
        byte[] archive = new byte[1 << 20];
        try (LoopbackStore store = new LoopbackStore(LoopbackStore.stallMidBody(archive, 1024));
             ChildRuntime child = ChildRuntime.start(List.of(), List.of("-Xmx256m", "-Djava.io.tmpdir=" + tmp),
                     "--xquery-addr", store.base(), "--model-id", "m", "--model-version", "1", "--guid", "g",
                     "--model-dir", tmp.resolve("models").toString())) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int live = -1;
            while (live != 200 && System.nanoTime() < end && child.process().isAlive()) {
                try {
                    live = client.send(HttpRequest.newBuilder(child.uri("/health/live")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notYet) {
                    child.process().waitFor(100, TimeUnit.MILLISECONDS);
                }
            }
            assertEquals(200, live, "live while the download stalls: " + child.log());
            assertEquals(1, store.requests().size(), "the download is under way");
            child.process().toHandle().destroy(); // SIGTERM
            assertTrue(child.process().waitFor(10, TimeUnit.SECONDS), "no exit after SIGTERM: " + child.log());
            assertEquals(ExitCodes.OK, child.process().exitValue(), child.log());
            assertTrue(child.log().contains("during start-up"), child.log());
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("model-runtime")).toList());
            }
            // the partial download in MODEL_DIR/.tmp too (it used to wait for a later start of the same model)
            try (Stream<Path> left = Files.list(tmp.resolve("models/.tmp"))) {
                assertEquals(List.of(), left.toList(), child.log());
            }
            assertTrue(child.log().contains("deleted the unfinished"), child.log());
        }
    }
}
