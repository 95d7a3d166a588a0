package com.modelfactory.runtime.lifecycle;

import com.modelfactory.runtime.testing.ChildRuntime;
import com.modelfactory.runtime.testing.TestRuntime;
import static com.modelfactory.runtime.testing.TestRuntime.doubles;
import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static com.modelfactory.runtime.testing.TestRuntime.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a real child process (java ... Main) while requests are held in a forming batch (waiting for a
 * large image still being decoded): readiness
 * turns false, a new request is refused, every request accepted before the signal is answered 200 with
 * the right numbers, and the process exits 0.
 */
class GracefulShutdownTest {
    private static final int CLIENTS = 16;
    /** Long enough that the accepted requests are still waiting in the batch when SIGTERM arrives. */
    private static final String BATCH_DELAY_MS = "5000";
    /**
     * What the batch waits for: a partial batch waits only for requests on their way to the queue, so a
     * large PNG still being decoded (a 4000x4000 photo: hundreds of ms of inflating) holds the others.
     */
    private static final int SLOW_SIDE = 4000;

    @Test
    void sigtermDrainsAcceptedRequestsRefusesNewOnesAndExitsZero() throws Exception {
        JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
        JsonObject in = ref.getJsonObject("inputs").getJsonObject("input");
        double[] pixels = Arrays.copyOf(doubles(in.getJsonArray("data")), 3 * 32 * 32);
        double[] expected = Arrays.copyOf(doubles(ref.getJsonObject("outputs").getJsonObject("logits")
                .getJsonArray("data")), 10);
        JsonArray data = new JsonArray();
        Arrays.stream(pixels).forEach(data::add);
        String body = new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "input")
                .put("datatype", "FP32").put("shape", new JsonArray().add(1).add(3).add(32).add(32))
                .put("data", data))).encode();

        try (ChildRuntime child = ChildRuntime.start(List.of(), "--model",
                fixture("onnx/tiny_cnn").resolve("model.onnx").toString(), "--model-name", "cnn",
                "--max-batch-size", "64", "--max-batch-delay-ms", BATCH_DELAY_MS, "--instances", "1",
                "--drain-timeout-ms", "30000")) {
            child.awaitReady(Duration.ofSeconds(90));
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest infer = HttpRequest.newBuilder(child.uri("/v2/models/cnn/infer"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();

            HttpRequest slowImage = HttpRequest.newBuilder(child.uri("/predict")).header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(largePng())).build();
            CompletableFuture<HttpResponse<String>> slow = client.sendAsync(slowImage,
                    HttpResponse.BodyHandlers.ofString());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (inFlight(client, child) < 1 && !slow.isDone()) {
                assertTrue(System.nanoTime() < end, "the large image was never accepted");
                child.process().waitFor(5, TimeUnit.MILLISECONDS);
            }
            List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                accepted.add(client.sendAsync(infer, HttpResponse.BodyHandlers.ofString()));
            }
            // Every request is accepted once it is answered or counted in flight by the batcher.
            int answered;
            while (true) {
                answered = (int) accepted.stream().filter(CompletableFuture::isDone).count() + (slow.isDone() ? 1 : 0);
                if (answered + inFlight(client, child) == CLIENTS + 1) {
                    break;
                }
                assertTrue(System.nanoTime() < end, "the requests never all reached the batcher");
                child.process().waitFor(20, TimeUnit.MILLISECONDS);
            }
            assertTrue(answered < CLIENTS + 1, "every request was answered before SIGTERM, so nothing was drained; "
                    + "the large image decoded too fast for this machine");

            child.process().toHandle().destroy(); // SIGTERM

            int ready = status(client, child, "/health/ready");
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ready == 200 && System.nanoTime() < end) {
                child.process().waitFor(10, TimeUnit.MILLISECONDS);
                ready = status(client, child, "/health/ready");
            }
            assertTrue(ready == 503 || ready == -1, "readiness after SIGTERM: " + ready);
            try {
                HttpResponse<String> late = client.send(infer, HttpResponse.BodyHandlers.ofString());
                assertEquals(503, late.statusCode(), "a request after SIGTERM: " + late.body());
                assertTrue(late.headers().firstValue("Retry-After").isPresent(), "503 without Retry-After");
            } catch (IOException refused) {
                // the drain already finished and the port is closed: refused is the other correct answer
            }

            for (int i = 0; i < CLIENTS; i++) {
                HttpResponse<String> r = accepted.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), "accepted request " + i + ": " + r.body());
                double[] logits = doubles(new JsonObject(r.body()).getJsonArray("outputs").getJsonObject(0)
                        .getJsonArray("data"));
                assertTrue(maxAbsDiff(expected, logits) <= 1e-4, "accepted request " + i + " got wrong numbers");
            }
            HttpResponse<String> image = slow.get(60, TimeUnit.SECONDS);
            assertEquals(200, image.statusCode(), "the large image: " + image.body());
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS), "the runtime did not exit after draining");
            assertEquals(0, child.process().exitValue(), child.log());
            assertTrue(child.log().contains("drained; stopped"), child.log());
        }
    }

    /** A photo-like PNG of SLOW_SIDE x SLOW_SIDE (16 MP, under the 24 MP limit of a fixed-size input). */
    private static byte[] largePng() throws IOException {
        BufferedImage img = new BufferedImage(SLOW_SIDE, SLOW_SIDE, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[SLOW_SIDE];
        for (int y = 0; y < SLOW_SIDE; y++) {
            for (int x = 0; x < SLOW_SIDE; x++) {
                row[x] = ((x * 255 / SLOW_SIDE) << 16) | ((y * 255 / SLOW_SIDE) << 8) | ((x ^ y) & 0x3f);
            }
            img.setRGB(0, y, SLOW_SIDE, 1, row, 0, SLOW_SIDE);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static final Pattern IN_FLIGHT = Pattern.compile("(?m)^model_requests_in_flight\\{[^}]*} ([0-9.]+)");

    private static int inFlight(HttpClient client, ChildRuntime child) throws Exception {
        String metrics = client.send(HttpRequest.newBuilder(child.uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = IN_FLIGHT.matcher(metrics);
        return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
    }

    /** The status of a GET, or -1 when the connection is refused. */
    private static int status(HttpClient client, ChildRuntime child, String path) throws InterruptedException {
        try {
            return client.send(HttpRequest.newBuilder(child.uri(path)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
