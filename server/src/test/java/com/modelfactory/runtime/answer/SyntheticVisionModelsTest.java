package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.Detections;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The output layouts no trained model under 4 MiB could be fetched for (end-to-end, MMDeploy, YOLOv5,
 * SSD boxes + scores, the TF Object Detection API, semantic segmentation): small models made by the real
 * frameworks (torch exported to ONNX, TensorFlow SavedModel) with seeded weights, each checked against its
 * family's pipeline written in Python (server/src/test/fixtures/vision/generate.py and its README). Each
 * fixture's model-config.yaml names its task, decoder and preprocessing, as a deployment would.
 */
class SyntheticVisionModelsTest {
    static final Path FIXTURES = Path.of("src/test/fixtures/vision");

    static Stream<String> fixtures() throws Exception {
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("expected.json"))).map(d -> d.getFileName().toString())
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void answersAsItsFamilysPipeline(String fixture) throws Exception {
        Path dir = FIXTURES.resolve(fixture);
        JsonObject expected = new JsonObject(Files.readString(dir.resolve("expected.json")));
        double conf = expected.getJsonObject("thresholds").getDouble("conf");
        // config and labels named, as beside a SavedModel folder they are not inside it
        try (TestRuntime rt = TestRuntime.start("--model", dir.resolve(expected.getString("model_file")).toString(),
                "--config", dir.resolve("model-config.yaml").toString(), "--labels", dir.resolve("labels.txt").toString())) {
            JsonObject cases = expected.getJsonObject("cases");
            assertTrue(cases.size() >= 1);
            for (String image : cases.fieldNames()) {
                JsonObject want = cases.getJsonObject(image);
                HttpResponse<String> r = rt.post("/predict", "image/png", Files.readAllBytes(dir.resolve(image)));
                assertEquals(200, r.statusCode(), r.body());
                JsonObject answer = new JsonObject(r.body());
                JsonArray size = want.getJsonArray("image_size_hw");
                assertEquals(size.getInteger(1), answer.getJsonObject("image").getInteger("width"), fixture);
                assertEquals(size.getInteger(0), answer.getJsonObject("image").getInteger("height"), fixture);
                if (want.containsKey("segments")) {
                    assertSegments(want.getJsonArray("segments"), answer.getJsonArray("segments"), fixture + " " + image);
                } else {
                    Detections.assertMatch(want.getJsonArray("detections"), answer.getJsonArray("detections"), conf,
                            fixture + " " + image);
                    for (Object d : answer.getJsonArray("detections")) {
                        JsonObject det = (JsonObject) d;
                        JsonObject twin = twin(want.getJsonArray("detections"), det);
                        if (twin != null) {
                            assertEquals(twin.getString("label"), det.getString("label"), fixture + " label");
                        }
                    }
                }
            }
        }
    }

    /** The reference detection this one matched (same class, IoU >= 0.9), or null. */
    private static JsonObject twin(JsonArray reference, JsonObject d) {
        for (Object o : reference) {
            JsonObject x = (JsonObject) o;
            if (x.getInteger("class_id").equals(d.getInteger("class_id"))
                    && Detections.iou(x.getJsonArray("box"), d.getJsonArray("box")) >= Detections.MIN_IOU) {
                return x;
            }
        }
        return null;
    }

    /**
     * Same classes present; per class the masks differ in at most 3% of its pixels (class boundaries move
     * with OpenCV's fixed-point resize against ours; measured 1.7% for the smallest class) and the area is
     * within that too.
     */
    private static void assertSegments(JsonArray want, JsonArray got, String what) {
        assertEquals(want.size(), got.size(), what + ": classes present " + got.encode());
        for (int i = 0; i < want.size(); i++) {
            JsonObject w = want.getJsonObject(i);
            JsonObject g = got.stream().map(JsonObject.class::cast)
                    .filter(s -> s.getInteger("class_id").equals(w.getInteger("class_id"))).findFirst().orElseThrow(
                            () -> new AssertionError(what + ": class " + w.getInteger("class_id") + " missing"));
            assertEquals(w.getString("label"), g.getString("label"), what);
            JsonArray size = w.getJsonObject("rle").getJsonArray("size");
            int pixels = size.getInteger(0) * size.getInteger(1);
            assertEquals(size, g.getJsonObject("rle").getJsonArray("size"), what);
            boolean[] a = Rle.decode(w.getJsonObject("rle").getString("counts"), pixels);
            boolean[] b = Rle.decode(g.getJsonObject("rle").getString("counts"), pixels);
            long differ = 0;
            for (int p = 0; p < pixels; p++) {
                if (a[p] != b[p]) {
                    differ++;
                }
            }
            long area = w.getLong("area");
            assertTrue(differ <= Math.max(10, area * 3 / 100), what + " class " + w.getInteger("class_id") + ": " + differ
                    + " pixels differ of an area of " + area);
            assertEquals(area, g.getLong("area"), Math.max(10, area * 0.03), what);
        }
    }
}
