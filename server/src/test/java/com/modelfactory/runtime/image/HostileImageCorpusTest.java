package com.modelfactory.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.ChildRuntime;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hostile-image corpus (server/src/test/resources/hostile-images, made by its generate.py) against
 * a child runtime with a 256 MB heap on the tiny CNN fixture (32x32 RGB input): every file gets the status its
 * manifest names, each refusal a JSON {"error": ...}; the process stays alive, still answers a valid
 * image as before, and its resident memory ends near where it started.
 */
class HostileImageCorpusTest {
    /**
     * The heap is committed and touched up front (-Xms = -Xmx, AlwaysPreTouch), so RSS growth is what
     * decoders allocate outside the heap; one 20000x20000 frame would be 400 MB of it.
     */
    private static final List<String> JVM = List.of("-Xmx256m", "-Xms256m", "-XX:+AlwaysPreTouch",
            "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
    private static final long RSS_GROWTH_LIMIT_KB = 64 * 1024;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyHostileImageIsAJson4xxAndTheServerStaysWellAndSmall() throws Exception {
        JsonObject manifest = new JsonObject(new String(TestImages.corpus("manifest.json"), StandardCharsets.UTF_8));
        byte[] valid = Files.readAllBytes(TestRuntime.fixture("images/rgb64x48.png"));
        // The manifest's statuses are for a 32x32 RGB input (the 8x8 default model decodes subsampled, and a
        // half-truncated BMP then decodes from the rows that are there).
        try (ChildRuntime child = ChildRuntime.start(List.of(), JVM, "--model",
                TestRuntime.fixture("onnx/tiny_cnn").toString())) {
            child.awaitReady(Duration.ofSeconds(120));
            HttpResponse<String> before = predict(child, valid);
            assertEquals(200, before.statusCode(), before.body());
            long rssBefore = rssKb(child.process().pid());

            List<String> wrong = new ArrayList<>();
            for (String file : manifest.fieldNames()) {
                int expect = manifest.getJsonObject(file).getInteger("expect");
                HttpResponse<String> r = predict(child, TestImages.corpus(file));
                String problem = problem(r, expect);
                if (problem != null) {
                    wrong.add(file + ": " + problem);
                }
                assertTrue(child.process().isAlive(), "the runtime died on " + file + ":\n" + child.log());
            }
            assertTrue(wrong.isEmpty(), String.join("\n", wrong));

            HttpResponse<String> after = predict(child, valid);
            assertEquals(200, after.statusCode(), after.body());
            assertEquals(new JsonObject(before.body()).getJsonArray("predictions"),
                    new JsonObject(after.body()).getJsonArray("predictions"));
            long rssAfter = rssKb(child.process().pid());
            System.out.printf("%d corpus files; RSS %d kB before, %d kB after%n", manifest.size(), rssBefore, rssAfter);
            assertTrue(rssAfter - rssBefore < RSS_GROWTH_LIMIT_KB,
                    "RSS went from " + rssBefore + " kB to " + rssAfter + " kB");
        }
    }

    /** What is wrong with the answer, or null: the expected status; for a refusal a JSON error body. */
    private static String problem(HttpResponse<String> r, int expect) {
        if (r.statusCode() != expect) {
            return "expected " + expect + ", got " + r.statusCode() + " " + r.body();
        }
        if (expect == 200) {
            return new JsonObject(r.body()).containsKey("predictions") ? null : "no predictions: " + r.body();
        }
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            return "not JSON: " + r.headers().map();
        }
        Object error = new JsonObject(r.body()).getValue("error");
        return error instanceof String s && !s.isBlank() ? null : "no error message: " + r.body();
    }

    private HttpResponse<String> predict(ChildRuntime child, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(child.uri("/predict")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS in /proc/" + pid + "/status");
    }
}
