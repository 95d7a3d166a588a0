package com.modelfactory.runtime.startup;

import com.modelfactory.runtime.testing.TestRuntime;
import com.modelfactory.runtime.lifecycle.StartupException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.fetch.LoopbackStore;
import com.modelfactory.runtime.fetch.TestArchives;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server started with only the model store settings (as the factory deploys it) downloads the
 * archive from a real HTTP store on loopback, unpacks the legacy model/model/ layout, loads and serves it.
 */
class ModelStoreEndToEndTest {
    @TempDir
    Path modelDir;

    private static Map<String, String> storeEnv(LoopbackStore store, Path modelDir) {
        return Map.of("XQUERY_ADDR", store.base(), "MODEL_ID", "leaf-grader", "MODEL_VERSION", "3",
                "GUID", "4f1c-secret-guid", "MODEL_DIR", modelDir.toString(), "DOWNLOAD_RETRY_BACKOFF_MS", "10");
    }

    @Test
    void downloadsUnpacksLoadsAndServesFromTheStoreOnly() throws Exception {
        byte[] onnx = Files.readAllBytes(TestRuntime.fixture("onnx/tiny_cnn/model.onnx"));
        byte[] archive = TestArchives.tarGz(TestArchives.legacyLayout("grader.onnx", onnx));
        JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
        byte[] png = Files.readAllBytes(TestRuntime.fixture("images/cat32.png"));
        try (LoopbackStore store = new LoopbackStore(LoopbackStore.status(503), LoopbackStore.ok(archive));
             TestRuntime rt = TestRuntime.start(storeEnv(store, modelDir))) {
            assertEquals(2, store.requests().size(), "one 503, then the archive");
            String target = store.requests().get(1).target();
            assertTrue(target.contains("modelId=leaf-grader") && target.contains("modelVersion=3")
                    && target.contains("guid=4f1c-secret-guid"), target);

            HttpResponse<String> r = rt.post("/predict", "image/png", png);
            assertEquals(200, r.statusCode(), r.body());
            double[] want = TestRuntime.doubles(ref.getJsonObject("image").getJsonObject("outputs")
                    .getJsonObject("logits").getJsonArray("data"));
            double diff = TestRuntime.maxAbsDiff(want, TestRuntime.flatten(new JsonObject(r.body())
                    .getJsonArray("predictions")));
            assertTrue(diff <= 1e-4, "diff " + diff);

            JsonObject model = new JsonObject(rt.get("/model").body());
            assertEquals("onnx", model.getString("format"));
            assertEquals("leaf-grader/3", model.getString("cache_key"));
            assertFalse(model.encode().contains("4f1c-secret-guid"), "the GUID is a secret: " + model.encode());
            String metrics = rt.get("/metrics").body();
            assertTrue(metrics.contains("model_download_size_bytes"), "download size is exported");
        }
    }

    @Test
    void aFailedDownloadStopsStartUpNamingTheCause() throws Exception {
        try (LoopbackStore store = new LoopbackStore(LoopbackStore.status(404))) {
            StartupException e = assertThrows(StartupException.class,
                    () -> TestRuntime.start(storeEnv(store, modelDir)));
            assertEquals(1, e.exitCode());
            assertTrue(e.getMessage().contains("404"), e.getMessage());
            assertFalse(e.getMessage().contains("4f1c-secret-guid"), e.getMessage());
        }
    }
}
