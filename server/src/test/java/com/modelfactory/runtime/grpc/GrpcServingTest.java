package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.fp32;
import static com.modelfactory.runtime.grpc.GrpcRequests.fp32Typed;
import static com.modelfactory.runtime.grpc.GrpcRequests.input;
import static com.modelfactory.runtime.grpc.GrpcRequests.outputFloats;
import static com.modelfactory.runtime.grpc.GrpcRequests.toFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.modelfactory.runtime.grpc.proto.DataType;
import com.modelfactory.runtime.grpc.proto.InferTensorContents;
import com.modelfactory.runtime.grpc.proto.ModelConfig;
import com.modelfactory.runtime.grpc.proto.ModelConfigRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.grpc.proto.ModelInput;
import com.modelfactory.runtime.grpc.proto.ModelInstanceGroup;
import com.modelfactory.runtime.grpc.proto.ModelMetadataRequest;
import com.modelfactory.runtime.grpc.proto.ModelMetadataResponse;
import com.modelfactory.runtime.grpc.proto.ModelReadyRequest;
import com.modelfactory.runtime.grpc.proto.ModelStatistics;
import com.modelfactory.runtime.grpc.proto.ModelStatisticsRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexResponse;
import com.modelfactory.runtime.grpc.proto.ServerLiveRequest;
import com.modelfactory.runtime.grpc.proto.ServerMetadataRequest;
import com.modelfactory.runtime.grpc.proto.ServerMetadataResponse;
import com.modelfactory.runtime.grpc.proto.ServerReadyRequest;
import com.modelfactory.runtime.serving.ModelConfigView;
import com.modelfactory.runtime.testing.TestRuntime;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every RPC against a real runtime serving the bundled tiny CNN (ONNX Runtime), over gRPC on the HTTP port
 * with grpc-java: metadata as REST has it, outputs bit for bit as the REST JSON route and /predict answer
 * (the image as a BYTES tensor), typed contents as raw, and every error with its status code.
 */
class GrpcServingTest {
    private static TestRuntime runtime;
    private static GrpcClient client;
    private static float[] pixels;
    private static float[] referenceLogits;

    @BeforeAll
    static void start() throws Exception {
        runtime = TestRuntime.start("--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(),
                "--model-name", "cnn");
        client = new GrpcClient(runtime.server().port());
        JsonObject ref = TestRuntime.reference("onnx/tiny_cnn");
        pixels = toFloats(TestRuntime.doubles(ref.getJsonObject("inputs").getJsonObject("input").getJsonArray("data")));
        referenceLogits = toFloats(TestRuntime.doubles(ref.getJsonObject("outputs").getJsonObject("logits")
                .getJsonArray("data")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    private static ModelInferResponse infer(ModelInferRequest.Builder r) {
        return client.blocking().modelInfer(r.build());
    }

    @Test
    void healthAndServerMetadataAreTheRestAnswers() throws Exception {
        assertTrue(client.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(client.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertTrue(client.blocking().modelReady(ModelReadyRequest.newBuilder().setName("cnn").build()).getReady());
        assertTrue(client.blocking().modelReady(ModelReadyRequest.newBuilder().setName("cnn").setVersion("1").build())
                .getReady());
        assertCode(Status.Code.NOT_FOUND, () -> client.blocking().modelReady(ModelReadyRequest.newBuilder()
                .setName("other").build()));
        ServerMetadataResponse meta = client.blocking().serverMetadata(ServerMetadataRequest.getDefaultInstance());
        JsonObject rest = new JsonObject(runtime.get("/v2").body());
        assertEquals(rest.getString("name"), meta.getName());
        assertEquals(rest.getString("version"), meta.getVersion());
        assertTrue(meta.getExtensionsList().containsAll(List.of("model_configuration", "statistics",
                "model_repository")), meta.getExtensionsList().toString());
    }

    @Test
    void modelMetadataIsTheRestMetadata() throws Exception {
        ModelMetadataResponse m = client.blocking().modelMetadata(ModelMetadataRequest.newBuilder().setName("cnn").build());
        JsonObject rest = new JsonObject(runtime.get("/v2/models/cnn").body());
        assertEquals(rest.getString("name"), m.getName());
        assertEquals(rest.getJsonArray("versions").getList(), m.getVersionsList());
        assertEquals(rest.getString("platform"), m.getPlatform());
        assertEquals(tensors(rest.getJsonArray("inputs")), tensors(m.getInputsList()));
        assertEquals(tensors(rest.getJsonArray("outputs")), tensors(m.getOutputsList()));
        assertEquals("onnxruntime_onnx", m.getPlatform());
        assertEquals(List.of(-1L, 3L, 32L, 32L), m.getInputs(0).getShapeList());
        assertEquals(m, client.blocking().modelMetadata(ModelMetadataRequest.newBuilder().setName("cnn")
                .setVersion("1").build()));
        assertCode(Status.Code.NOT_FOUND, () -> client.blocking().modelMetadata(ModelMetadataRequest.newBuilder()
                .setName("cnn").setVersion("2").build()));
    }

    private static List<String> tensors(JsonArray a) {
        return a.stream().map(o -> (JsonObject) o).map(t -> t.getString("name") + ":" + t.getString("datatype")
                + t.getJsonArray("shape").getList()).toList();
    }

    private static List<String> tensors(List<ModelMetadataResponse.TensorMetadata> a) {
        return a.stream().map(t -> t.getName() + ":" + t.getDatatype() + t.getShapeList()).toList();
    }

    @Test
    void modelConfigIsTheServingCoresView() {
        ModelConfig c = client.blocking().modelConfig(ModelConfigRequest.newBuilder().setName("cnn").build()).getConfig();
        ModelConfigView v = ModelConfigView.of(runtime.server().service().info());
        assertEquals("cnn", c.getName());
        assertEquals("onnxruntime_onnx", c.getPlatform());
        assertEquals("onnxruntime", c.getBackend());
        assertEquals(v.maxBatchSize(), c.getMaxBatchSize());
        assertTrue(c.getMaxBatchSize() > 0);
        ModelInput in = c.getInput(0);
        assertEquals("input", in.getName());
        assertEquals(DataType.TYPE_FP32, in.getDataType());
        assertEquals(ModelInput.Format.FORMAT_NCHW, in.getFormat(), "image_client.py reads the image layout here");
        assertEquals(List.of(3L, 32L, 32L), in.getDimsList());
        assertEquals(List.of(10L), c.getOutput(0).getDimsList());
        assertEquals(v.maxQueueDelayUs(), c.getDynamicBatching().getMaxQueueDelayMicroseconds());
        assertEquals(ModelInstanceGroup.Kind.KIND_CPU, c.getInstanceGroup(0).getKind());
        assertEquals(v.instanceCount(), c.getInstanceGroup(0).getCount());
        assertEquals("model.onnx", c.getDefaultModelFilename());
        assertEquals(1, c.getVersionPolicy().getLatest().getNumVersions());
    }

    @Test
    void rawTensorAnswersTheReferenceBitForBitAsTheRestJsonRoute() throws Exception {
        ModelInferResponse r = infer(fp32("cnn", "input", pixels, 2, 3, 32, 32));
        assertEquals("cnn", r.getModelName());
        assertEquals("1", r.getModelVersion());
        assertEquals(1, r.getOutputsCount());
        assertEquals("logits", r.getOutputs(0).getName());
        assertEquals("FP32", r.getOutputs(0).getDatatype());
        assertEquals(List.of(2L, 10L), r.getOutputs(0).getShapeList());
        assertFalse(r.getOutputs(0).hasContents(), "outputs travel in raw_output_contents only");
        float[] logits = outputFloats(r, 0);
        assertTrue(maxDiff(referenceLogits, logits) < 1e-4, "differs from the reference made by onnxruntime");
        HttpResponse<String> rest = runtime.infer(TestRuntime.inferRequest(TestRuntime.reference("onnx/tiny_cnn")));
        assertEquals(200, rest.statusCode(), rest.body());
        assertArrayEquals(JsonFloats.firstOutput(rest.body()), logits, "gRPC and REST JSON differ");
    }

    @Test
    void typedContentsGiveTheSameBitsAsRaw() {
        float[] raw = outputFloats(infer(fp32("cnn", "input", pixels, 2, 3, 32, 32)), 0);
        assertArrayEquals(raw, outputFloats(infer(fp32Typed("cnn", "input", pixels, 2, 3, 32, 32)), 0));
    }

    @Test
    void imageAsBytesTensorAnswersAsPredictDoesBitForBit() throws Exception {
        byte[] png = Files.readAllBytes(TestRuntime.fixture("images/cat32.png"));
        HttpResponse<String> predict = runtime.post("/predict", "image/png", png);
        assertEquals(200, predict.statusCode(), predict.body());
        float[] expected = JsonFloats.firstOutput(predict.body());
        ModelInferResponse raw = infer(GrpcRequests.bytes("cnn", "input", List.of(png), 1));
        assertArrayEquals(expected, outputFloats(raw, 0), "BYTES image vs /predict");
        assertEquals(List.of(1L, 10L), raw.getOutputs(0).getShapeList());
        ModelInferResponse typed = infer(ModelInferRequest.newBuilder().setModelName("cnn").addInputs(
                input("input", "BYTES", 1, 1).setContents(InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFrom(png)))));
        assertArrayEquals(expected, outputFloats(typed, 0), "BYTES image in bytes_contents vs /predict");
        ModelInferResponse two = infer(GrpcRequests.bytes("cnn", "input", List.of(png, png), 2));
        assertEquals(List.of(2L, 10L), two.getOutputs(0).getShapeList());
    }

    @Test
    void idIsEchoedOrGeneratedAndOutputsCanBeNamed() {
        assertEquals("req-7", infer(fp32("cnn", "input", pixels, 2, 3, 32, 32).setId("req-7")).getId());
        String generated = infer(fp32("cnn", "input", pixels, 2, 3, 32, 32)).getId();
        assertFalse(generated.isEmpty(), "a response without id fails KServe's response model");
        assertFalse(generated.equals(infer(fp32("cnn", "input", pixels, 2, 3, 32, 32)).getId()));
        ModelInferResponse named = infer(fp32("cnn", "input", pixels, 2, 3, 32, 32)
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("logits")));
        assertEquals("logits", named.getOutputs(0).getName());
        assertMessage(Status.Code.INVALID_ARGUMENT, "unknown output 'probs'", () -> infer(fp32("cnn", "input", pixels,
                2, 3, 32, 32).addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probs"))));
    }

    @Test
    void unknownModelOrVersionIsNotFound() {
        assertMessage(Status.Code.NOT_FOUND, "unknown model 'resnet'", () -> infer(fp32("resnet", "input", pixels,
                2, 3, 32, 32)));
        assertMessage(Status.Code.NOT_FOUND, "no version '3'", () -> infer(fp32("cnn", "input", pixels, 2, 3, 32, 32)
                .setModelVersion("3")));
        assertEquals(2, outputFloats(infer(fp32("cnn", "input", pixels, 2, 3, 32, 32).setModelVersion("1")), 0).length / 10);
    }

    @Test
    void inconsistentTensorsAreInvalidArgumentNamingTheInput() {
        float[] small = new float[3 * 16 * 16];
        assertMessage(Status.Code.INVALID_ARGUMENT, "shape [1, 3, 16, 16]", () -> infer(fp32("cnn", "input", small,
                1, 3, 16, 16)));
        assertMessage(Status.Code.INVALID_ARGUMENT, "raw_input_contents has 2 entries but the request has 1 inputs",
                () -> infer(fp32("cnn", "input", pixels, 2, 3, 32, 32).addRawInputContents(ByteString.EMPTY)));
        assertMessage(Status.Code.INVALID_ARGUMENT, "entry has 100 bytes but FP32 [1, 3, 32, 32] takes 12288", () -> infer(ModelInferRequest.newBuilder()
                .setModelName("cnn").addInputs(input("input", "FP32", 1, 3, 32, 32))
                .addRawInputContents(ByteString.copyFrom(new byte[100]))));
        assertMessage(Status.Code.INVALID_ARGUMENT, "has contents while the request uses raw_input_contents",
                () -> infer(fp32("cnn", "input", pixels, 2, 3, 32, 32).setInputs(0, input("input", "FP32", 2, 3, 32, 32)
                        .setContents(InferTensorContents.newBuilder().addFp32Contents(1)))));
        assertMessage(Status.Code.INVALID_ARGUMENT, "has no data", () -> infer(ModelInferRequest.newBuilder()
                .setModelName("cnn").addInputs(input("input", "FP32", 1, 3, 32, 32))));
        assertMessage(Status.Code.INVALID_ARGUMENT, "unknown datatype 'FLOAT'", () -> infer(ModelInferRequest.newBuilder()
                .setModelName("cnn").addInputs(input("input", "FLOAT", 2, 3, 32, 32)).addRawInputContents(
                        GrpcRequests.floats(pixels))));
        assertMessage(Status.Code.INVALID_ARGUMENT, "has datatype FP64 but the model expects FP32",
                () -> infer(ModelInferRequest.newBuilder().setModelName("cnn").addInputs(input("input", "FP64", 1, 3, 32, 16))
                        .addRawInputContents(GrpcRequests.floats(new float[3 * 32 * 32]))));
        assertMessage(Status.Code.INVALID_ARGUMENT, "(6144 elements) but contents.fp32_contents holds 3",
                () -> infer(fp32Typed("cnn", "input", new float[3], 2, 3, 32, 32)));
        assertMessage(Status.Code.INVALID_ARGUMENT, "FP16, which has no typed contents",
                () -> infer(ModelInferRequest.newBuilder().setModelName("cnn").addInputs(input("input", "FP16", 1)
                        .setContents(InferTensorContents.newBuilder().addFp32Contents(1)))));
        assertMessage(Status.Code.INVALID_ARGUMENT, "dimensions must be >= 0", () -> infer(fp32("cnn", "input", pixels,
                -2, 3, 32, 32)));
        assertMessage(Status.Code.INVALID_ARGUMENT, "unknown input 'x'", () -> infer(fp32("cnn", "x", pixels,
                2, 3, 32, 32)));
        // and the server keeps serving
        assertTrue(maxDiff(referenceLogits, outputFloats(infer(fp32("cnn", "input", pixels, 2, 3, 32, 32)), 0)) < 1e-4);
    }

    @Test
    void unknownMethodsAreUnimplemented() {
        for (String method : List.of("inference.GRPCInferenceService/ModelStreamInfer",
                "inference.GRPCInferenceService/CudaSharedMemoryStatus", "grpc.reflection.v1.ServerReflection/Info")) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                    client.channel, rawMethod(method), CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                    new byte[0]));
            assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), method);
            assertTrue(e.getStatus().getDescription().contains("unknown method '" + method + "'"),
                    e.getStatus().getDescription());
        }
    }

    static MethodDescriptor<byte[], byte[]> rawMethod(String name) {
        MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(byte[] value) {
                return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(name).setRequestMarshaller(bytes).setResponseMarshaller(bytes).build();
    }

    @Test
    void gzipRequestsAreReadAndAnsweredWithGzip() {
        AtomicReference<String> encoding = new AtomicReference<>();
        ModelInferResponse r = client.blocking().withInterceptors(responseEncoding(encoding)).withCompression("gzip")
                .modelInfer(fp32("cnn", "input", pixels, 2, 3, 32, 32).build());
        assertTrue(maxDiff(referenceLogits, outputFloats(r, 0)) < 1e-4);
        assertEquals("gzip", encoding.get());
        client.blocking().withInterceptors(responseEncoding(encoding)).modelInfer(fp32("cnn", "input", pixels,
                2, 3, 32, 32).build());
        assertEquals("identity", encoding.get(), "an uncompressed request is answered uncompressed");
    }

    /** Captures the grpc-encoding of the response headers. */
    private static ClientInterceptor responseEncoding(AtomicReference<String> encoding) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata h) {
                                encoding.set(h.get(Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER)));
                                super.onHeaders(h);
                            }
                        }, headers);
                    }
                };
            }
        };
    }

    @Test
    void statisticsAndMetricsCountGrpcCalls() throws Exception {
        ModelStatistics before = client.blocking().modelStatistics(ModelStatisticsRequest.newBuilder().setName("cnn")
                .build()).getModelStats(0);
        infer(fp32("cnn", "input", pixels, 2, 3, 32, 32));
        assertCode(Status.Code.NOT_FOUND, () -> infer(fp32("nope", "input", pixels, 2, 3, 32, 32)));
        ModelStatistics after = client.blocking().modelStatistics(ModelStatisticsRequest.newBuilder().setName("cnn")
                .build()).getModelStats(0);
        assertEquals("cnn", after.getName());
        assertEquals("1", after.getVersion());
        assertEquals(before.getInferenceCount() + 2, after.getInferenceCount(), "two items inferred");
        assertEquals(before.getInferenceStats().getSuccess().getCount() + 1, after.getInferenceStats().getSuccess().getCount());
        assertTrue(after.getInferenceStats().getComputeInfer().getNs() > before.getInferenceStats().getComputeInfer().getNs());
        assertTrue(after.getLastInference() > 0);
        assertTrue(after.getBatchStatsCount() > 0);
        assertEquals(1, client.blocking().modelStatistics(ModelStatisticsRequest.getDefaultInstance()).getModelStatsCount());
        assertCode(Status.Code.NOT_FOUND, () -> client.blocking().modelStatistics(ModelStatisticsRequest.newBuilder()
                .setName("other").build()));
        String metrics = runtime.get("/metrics").body();
        assertTrue(metrics.matches("(?s).*grpc_server_requests_seconds_count\\{code=\"OK\",method=\"ModelInfer\",model=\"cnn\"} [1-9].*"),
                "no count of OK ModelInfer calls in /metrics");
        assertTrue(metrics.contains("grpc_server_requests_seconds_count{code=\"NOT_FOUND\",method=\"ModelInfer\",model=\"cnn\"}"));
        assertTrue(metrics.contains("grpc_server_requests_seconds_bucket{code=\"OK\",method=\"ModelStatistics\""));
    }

    @Test
    void repositoryIndexListsTheOneModel() {
        RepositoryIndexResponse all = client.blocking().repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
        assertEquals(1, all.getModelsCount());
        assertEquals("cnn", all.getModels(0).getName());
        assertEquals("1", all.getModels(0).getVersion());
        assertEquals("READY", all.getModels(0).getState());
        assertEquals(all, client.blocking().repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build()));
        assertMessage(Status.Code.UNIMPLEMENTED, "'repository_name' specification is not supported",
                () -> client.blocking().repositoryIndex(RepositoryIndexRequest.newBuilder().setRepositoryName("models")
                        .build()));
    }

    static void assertCode(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    }

    static void assertMessage(Status.Code code, String part, Supplier<?> call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription() != null && e.getStatus().getDescription().contains(part),
                "message '" + e.getStatus().getDescription() + "' lacks '" + part + "'");
    }

    private static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
