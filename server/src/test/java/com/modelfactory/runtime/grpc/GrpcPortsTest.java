package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.fp32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.grpc.proto.ServerLiveRequest;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.StartupException;
import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.http.HttpServerOptions;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where gRPC is served: on GRPC_PORT (HTTP/2 only) and on the HTTP port beside REST, which still answers
 * HTTP/2 and HTTP/1.1 requests that are not gRPC; grpc_port 0 opens no second port; a busy gRPC port
 * stops start-up like a busy HTTP port.
 */
class GrpcPortsTest {
    private static final String MODEL = TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString();

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void grpcPortServesGrpcAndTheHttpPortServesBoth() throws Exception {
        int grpcPort = freePort();
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--model-name", "cnn", "--grpc-port",
                Integer.toString(grpcPort)); GrpcClient onGrpcPort = new GrpcClient(grpcPort);
             GrpcClient onHttpPort = new GrpcClient(rt.server().port()); RawGrpc h2 = new RawGrpc(rt.server().port());
             RawGrpc grpcOnly = new RawGrpc(grpcPort)) {
            assertEquals(grpcPort, rt.server().grpcPort());
            float[] pixels = new float[3 * 32 * 32];
            ModelInferResponse a = onGrpcPort.blocking().modelInfer(fp32("cnn", "input", pixels, 1, 3, 32, 32).build());
            ModelInferResponse b = onHttpPort.blocking().modelInfer(fp32("cnn", "input", pixels, 1, 3, 32, 32).build());
            assertEquals(a.getRawOutputContents(0), b.getRawOutputContents(0));
            assertTrue(onGrpcPort.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());

            RawGrpc.Answer ready = h2.get("/v2/health/ready");
            assertEquals(200, ready.httpStatus(), "REST over HTTP/2 on the HTTP port");
            assertEquals(415, grpcOnly.get("/v2/health/ready").httpStatus(), "the gRPC port serves gRPC only");

            HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> rest = http1.send(HttpRequest.newBuilder(rt.uri("/v2/models/cnn")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, rest.statusCode());
            HttpResponse<String> grpcOverHttp1 = http1.send(HttpRequest.newBuilder(rt.uri(
                    "/inference.GRPCInferenceService/ServerLive")).header("Content-Type", "application/grpc")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5])).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(415, grpcOverHttp1.statusCode(), "gRPC needs HTTP/2");

            RawGrpc.Answer flaggedWithoutEncoding = h2.call("ServerLive", Map.of(), RawGrpc.frame(true, new byte[0]));
            assertEquals("3", flaggedWithoutEncoding.status(), "a compressed flag without grpc-encoding: "
                    + flaggedWithoutEncoding.message());
            assertEquals("0", h2.call("ServerLive", Map.of(), RawGrpc.frame(false, new byte[0])).status());
        }
    }

    @Test
    void http2SettingsWidenTheWindowAndKeepTheStreamLimit() {
        HttpServerOptions o = GrpcEndpoint.http2(new HttpServerOptions());
        assertEquals(1 << 20, o.getInitialSettings().getInitialWindowSize());
        assertEquals(100, o.getInitialSettings().getMaxConcurrentStreams(), "Vert.x's cap on streams a connection");
        assertEquals(16 << 20, o.getHttp2ConnectionWindowSize());
    }

    @Test
    void grpcPortZeroOpensNoSecondPort() throws Exception {
        try (TestRuntime rt = TestRuntime.start("--model", MODEL, "--grpc-port", "0")) {
            assertEquals(-1, rt.server().grpcPort());
        }
    }

    @Test
    void aBusyGrpcPortStopsStartUpNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            StartupException e = assertThrows(StartupException.class, () -> TestRuntime.start("--model", MODEL,
                    "--grpc-port", Integer.toString(taken.getLocalPort())).close());
            assertEquals(ExitCodes.PORT, e.exitCode());
            assertTrue(e.getMessage().contains(":" + taken.getLocalPort() + " (grpc_port)"), e.getMessage());
        }
    }


}
