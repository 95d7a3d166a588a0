package com.modelfactory.runtime.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.fetch.LoopbackStore;
import com.modelfactory.runtime.fetch.TestArchives;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repository models from the model store (STORE_MODELS) beside a repository folder: the archive is fetched
 * from a real HTTP store on loopback with the entry's MODEL_ID and MODEL_VERSION, unpacked, and served as
 * that version, next to the folder's model.
 */
class StoreModelsTest {
    @TempDir
    Path repo;
    @TempDir
    Path modelDir;

    @Test
    void aStoreModelIsFetchedAndServedBesideTheFoldersModels() throws Exception {
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/mnist_flat"), repo.resolve("digits").resolve("1"));
        byte[] onnx = Files.readAllBytes(TestRuntime.fixture("onnx/tiny_cnn/model.onnx"));
        byte[] archive = TestArchives.tarGz(TestArchives.legacyLayout("grader.onnx", onnx));
        JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
        try (LoopbackStore store = new LoopbackStore(LoopbackStore.ok(archive));
             TestRuntime rt = TestRuntime.start(Map.of("XQUERY_ADDR", store.base(), "GUID", "g-secret",
                     "MODEL_DIR", modelDir.toString()), "--model-repository", repo.toString(),
                     "--store-models", "grader=leaf-grader:3")) {
            String target = store.requests().get(0).target();
            assertTrue(target.contains("modelId=leaf-grader") && target.contains("modelVersion=3"), target);
            JsonArray index = new JsonArray(rt.post("/v2/repository/index", "application/json",
                    "{\"ready\": true}".getBytes(StandardCharsets.UTF_8)).body());
            assertEquals(List.of("digits/1", "grader/3"), index.stream().map(JsonObject.class::cast)
                    .map(m -> m.getString("name") + "/" + m.getString("version")).toList());
            var r = rt.post("/v2/models/grader/versions/3/infer", "application/json",
                    TestRuntime.inferRequest(ref).encode().getBytes(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), r.body());
            double diff = TestRuntime.maxAbsDiff(TestRuntime.doubles(new JsonObject(r.body()).getJsonArray("outputs")
                    .getJsonObject(0).getJsonArray("data")), TestRuntime.doubles(ref.getJsonObject("outputs")
                    .getJsonObject("logits").getJsonArray("data")));
            assertTrue(diff < 1e-4, "diff " + diff);
        }
    }
}
