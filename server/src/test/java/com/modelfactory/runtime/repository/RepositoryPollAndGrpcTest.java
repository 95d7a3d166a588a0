package com.modelfactory.runtime.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.grpc.proto.GRPCInferenceServiceGrpc;
import com.modelfactory.runtime.grpc.proto.ModelReadyRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexResponse;
import com.modelfactory.runtime.grpc.proto.RepositoryModelLoadRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryModelUnloadRequest;
import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.TestRuntime;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poll mode picks up a new version and drops a removed model; Triton's gRPC repository API (index, load,
 * unload) with grpc-java stubs generated from Triton's proto, in explicit mode.
 */
class RepositoryPollAndGrpcTest {
    @TempDir
    Path repo;

    private static List<String> ready(TestRuntime rt) {
        try {
            return readyOrThrow(rt);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> readyOrThrow(TestRuntime rt) throws Exception {
        JsonArray index = new JsonArray(rt.post("/v2/repository/index", "application/json",
                "{\"ready\": true}".getBytes(StandardCharsets.UTF_8)).body());
        return index.stream().map(JsonObject.class::cast).map(m -> m.getString("name") + "/" + m.getString("version"))
                .sorted().toList();
    }

    @Test
    void pollModeLoadsNewVersionsAndUnloadsRemovedModels() throws Exception {
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/tiny_cnn"), repo.resolve("a").resolve("1"));
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/mnist_flat"), repo.resolve("b").resolve("1"));
        try (TestRuntime rt = TestRuntime.start("--model-repository", repo.toString(), "--model-control-mode", "poll",
                "--repository-poll-ms", "200")) {
            assertEquals(List.of("a/1", "b/1"), ready(rt));
            ModelRepositoryTest.copy(TestRuntime.fixture("onnx/tiny_cnn"), repo.resolve("a").resolve("2"));
            Await.until("version 2 of a replaces version 1", () -> ready(rt).equals(List.of("a/2", "b/1")));
            deleteTree(repo.resolve("b"));
            Await.until("b is not ready", () -> ready(rt).equals(List.of("a/2")));
            // not ready includes still draining (UNLOADING answers 503); once unloaded the model is unknown
            Await.until("b is unloaded: 404", () -> inferStatus(rt, "b") == 404);
            assertEquals(List.of("a/2"), ready(rt));
        }
    }

    @Test
    void severalFoldersServeAsOneRepositoryTheFirstFolderWinningAName() throws Exception {
        Path first = Files.createDirectories(repo.resolve("first"));
        Path second = Files.createDirectories(repo.resolve("second"));
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/tiny_cnn"), first.resolve("a").resolve("1"));
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/mnist_flat"), second.resolve("b").resolve("1"));
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/mnist_flat"), second.resolve("a").resolve("7"));
        try (TestRuntime rt = TestRuntime.start("--model-repository", first + "," + second)) {
            assertEquals(List.of("a/1", "b/1"), ready(rt));
        }
    }

    @Test
    void aNewVersionThatFailsToLoadLeavesTheWorkingOneServing() throws Exception {
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/tiny_cnn"), repo.resolve("a").resolve("1"));
        try (TestRuntime rt = TestRuntime.start("--model-repository", repo.toString(), "--model-control-mode", "poll",
                "--repository-poll-ms", "200")) {
            Files.createDirectories(repo.resolve("a").resolve("2"));
            Files.writeString(repo.resolve("a").resolve("2").resolve("model.onnx"), "half a copy");
            Await.until("version 2 failed", () -> index(rt).contains("a/2 UNAVAILABLE"));
            assertTrue(index(rt).contains("a/1 READY"), index(rt).toString());
            JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
            assertEquals(200, rt.post("/v2/models/a/infer", "application/json",
                    TestRuntime.inferRequest(ref).encode().getBytes(StandardCharsets.UTF_8)).statusCode());
        }
    }

    private static int inferStatus(TestRuntime rt, String model) {
        try {
            return rt.post("/v2/models/" + model + "/infer", "application/json", new byte[] {'{', '}'}).statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> index(TestRuntime rt) {
        try {
            JsonArray index = new JsonArray(rt.post("/v2/repository/index", "application/json",
                    "{}".getBytes(StandardCharsets.UTF_8)).body());
            return index.stream().map(JsonObject.class::cast)
                    .map(m -> m.getString("name") + "/" + m.getString("version") + " " + m.getString("state")).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void grpcRepositoryApiLoadsAndUnloads() throws Exception {
        ModelRepositoryTest.copy(TestRuntime.fixture("onnx/tiny_cnn"), repo.resolve("a").resolve("1"));
        try (TestRuntime rt = TestRuntime.start("--model-repository", repo.toString(), "--model-control-mode",
                "explicit")) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", rt.server().port()).usePlaintext()
                    .build();
            try {
                var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
                RepositoryIndexResponse index = stub.repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
                assertEquals("a", index.getModels(0).getName());
                assertEquals("UNAVAILABLE", index.getModels(0).getState(), "explicit mode loads nothing at start");
                assertTrue(!stub.modelReady(ModelReadyRequest.newBuilder().setName("a").build()).getReady());
                stub.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("a").build());
                assertTrue(stub.modelReady(ModelReadyRequest.newBuilder().setName("a").build()).getReady());
                assertEquals("READY", stub.repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build())
                        .getModels(0).getState());
                stub.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("a").build());
                assertTrue(!stub.modelReady(ModelReadyRequest.newBuilder().setName("a").build()).getReady());
                StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> stub
                        .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("zzz").build()));
                assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
