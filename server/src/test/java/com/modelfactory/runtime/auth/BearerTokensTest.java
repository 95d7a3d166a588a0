package com.modelfactory.runtime.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.grpc.proto.GRPCInferenceServiceGrpc;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelMetadataRequest;
import com.modelfactory.runtime.grpc.proto.ServerLiveRequest;
import com.modelfactory.runtime.testing.Await;
import com.modelfactory.runtime.testing.TestRuntime;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AUTH_TOKENS_FILE on a real runtime: every route of every endpoint group with no token, an unknown one,
 * one without the group and the right one, over HTTP and gRPC; health open throughout; the file re-read
 * when it changes, a broken new file refused with the old tokens kept; refusals counted.
 */
class BearerTokensTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    Path dir;

    private record Route(String method, String path, String body, EndpointGroup group, int ok) {
    }

    private static final String INFER = TestRuntime.inferRequest(reference()).encode();

    private static io.vertx.core.json.JsonObject reference() {
        try {
            return TestRuntime.reference("onnx/tiny_cnn");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final List<Route> ROUTES = List.of(
            new Route("POST", "/v2/models/cnn/infer", INFER, EndpointGroup.INFERENCE, 200),
            new Route("POST", "/v2/models/cnn/versions/1/infer", INFER, EndpointGroup.INFERENCE, 200),
            new Route("POST", "/v1/models/cnn:predict", "{\"instances\": [" + new io.vertx.core.json.JsonArray(
                    java.util.Collections.nCopies(3 * 32 * 32, 0.5)).encode() + "]}", EndpointGroup.INFERENCE, 400),
            new Route("GET", "/v2/models/cnn", null, EndpointGroup.METADATA, 200),
            new Route("GET", "/v2/models/cnn/config", null, EndpointGroup.METADATA, 200),
            new Route("GET", "/v2/models/cnn/stats", null, EndpointGroup.METADATA, 200),
            new Route("GET", "/v2", null, EndpointGroup.METADATA, 200),
            new Route("GET", "/model", null, EndpointGroup.METADATA, 200),
            new Route("POST", "/v2/repository/index", "{}", EndpointGroup.METADATA, 200),
            new Route("GET", "/metrics", null, EndpointGroup.METRICS, 200),
            new Route("GET", "/v2/health/ready", null, EndpointGroup.HEALTH, 200),
            new Route("GET", "/health/live", null, EndpointGroup.HEALTH, 200),
            new Route("GET", "/v2/models/cnn/ready", null, EndpointGroup.METADATA, 200));

    private static HttpResponse<String> send(TestRuntime rt, Route r, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.server().port() + r.path()));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(r.body()));
        if (r.body() != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path tokens(String yaml) throws Exception {
        Path f = dir.resolve("tokens.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void everyRouteOfEveryGroupAsksForItsToken() throws Exception {
        String opsDigest = HexFormat.of().formatHex(AccessTokens.sha256("ops-token"));
        Path file = tokens("- token: infer-token\n  groups: [inference]\n- sha256: " + opsDigest
                + "\n  groups: [metadata, metrics]\n");
        try (TestRuntime rt = TestRuntime.start("--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(),
                "--model-name", "cnn", "--auth-tokens-file", file.toString())) {
            for (Route r : ROUTES) {
                String right = r.group() == EndpointGroup.INFERENCE ? "infer-token" : "ops-token";
                String other = r.group() == EndpointGroup.INFERENCE ? "ops-token" : "infer-token";
                if (r.group() == EndpointGroup.HEALTH) {
                    assertEquals(r.ok(), send(rt, r, null).statusCode(), r.path() + " is open");
                    continue;
                }
                HttpResponse<String> none = send(rt, r, null);
                assertEquals(401, none.statusCode(), r.path());
                assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null), r.path());
                assertTrue(none.body().startsWith("{\"error\":"), none.body());
                assertEquals(401, send(rt, r, "not-a-token").statusCode(), r.path());
                assertEquals(403, send(rt, r, other).statusCode(), r.path());
                assertEquals(r.ok(), send(rt, r, right).statusCode(), r.path());
            }
            String metrics = send(rt, ROUTES.get(9), "ops-token").body();
            assertTrue(metrics.contains("auth_failures_total{group=\"inference\",reason=\"missing\"}"), metrics);
            assertTrue(!metrics.contains("infer-token") && !metrics.contains("ops-token"));

            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", rt.server().port()).usePlaintext()
                    .build();
            try {
                var plain = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
                ModelInferRequest infer = com.modelfactory.runtime.grpc.GrpcTestRequests.tinyCnn("cnn");
                assertEquals(Status.Code.UNAUTHENTICATED, code(() -> plain.modelInfer(infer)));
                assertEquals(Status.Code.PERMISSION_DENIED, code(() -> with(plain, "ops-token").modelInfer(infer)));
                with(plain, "infer-token").modelInfer(infer);
                assertEquals(Status.Code.PERMISSION_DENIED, code(() -> with(plain, "infer-token")
                        .modelMetadata(ModelMetadataRequest.newBuilder().setName("cnn").build())));
                with(plain, "ops-token").modelMetadata(ModelMetadataRequest.newBuilder().setName("cnn").build());
                assertTrue(plain.serverLive(ServerLiveRequest.getDefaultInstance()).getLive(), "health is open");
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theFileIsReReadWhenItChangesAndABrokenOneIsRefused() throws Exception {
        Path file = tokens("- token: old-token\n  groups: [metadata]\n");
        Route meta = ROUTES.get(3);
        try (TestRuntime rt = TestRuntime.start("--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(),
                "--model-name", "cnn", "--auth-tokens-file", file.toString())) {
            assertEquals(200, send(rt, meta, "old-token").statusCode());
            Files.writeString(file, "- token: new-token\n  groups: [metadata]\n");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
            Await.until("the new token works", () -> status(rt, meta, "new-token") == 200);
            assertEquals(401, send(rt, meta, "old-token").statusCode(), "the old token is gone");
            Files.writeString(file, "- token: [not, a, string\n");
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
            Await.until("the broken file was looked at and refused", () -> rt.server().metrics().scrape()
                    .contains("auth_tokens_reloads_total{result=\"refused\"} 1.0"));
            assertEquals(200, send(rt, meta, "new-token").statusCode(), "a broken file keeps the tokens in force");
        }
    }

    private static int status(TestRuntime rt, Route r, String token) {
        try {
            return send(rt, r, token).statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTokensFileThatCannotBeUsedStopsStartUp() throws Exception {
        Path file = tokens("- token: x\n  groups: [everything]\n");
        var e = assertThrows(com.modelfactory.runtime.lifecycle.StartupException.class, () -> TestRuntime.start(
                "--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(), "--auth-tokens-file",
                file.toString()));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("unknown group 'everything'"), e.getMessage());
    }

    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub with(
            GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub, String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }
}
