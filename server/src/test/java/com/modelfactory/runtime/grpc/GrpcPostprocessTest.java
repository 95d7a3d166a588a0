package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.bytes;
import static com.modelfactory.runtime.grpc.GrpcRequests.outputFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.grpc.proto.InferParameter;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.testing.TestRuntime;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ModelInfer with the {@code postprocess} parameter: the detections /predict gives, as the TF Object
 * Detection API's tensors (the end-to-end fixture detector, an encoded PNG as a BYTES tensor); the
 * model's own tensors without it; a classifier refusing it with INVALID_ARGUMENT.
 */
class GrpcPostprocessTest {
    static final Path FIXTURE = Path.of("src/test/fixtures/vision/end2end_onnx");

    @Test
    void postprocessAnswersTheDetectionsPredictGives() throws Exception {
        try (TestRuntime rt = TestRuntime.start("--model", FIXTURE.resolve("model.onnx").toString(), "--model-name", "det");
             GrpcClient client = new GrpcClient(rt.server().port())) {
            byte[] png = Files.readAllBytes(FIXTURE.resolve("bus.png"));
            JsonArray dets = new JsonObject(rt.post("/predict", "image/png", png).body()).getJsonArray("detections");
            ModelInferRequest.Builder request = bytes("det", "images", List.of(png), 1);

            ModelInferResponse tensors = client.blocking().modelInfer(request.build());
            assertEquals("output0", tensors.getOutputs(0).getName(), "the model's tensors by default");

            ModelInferResponse answered = client.blocking().modelInfer(request
                    .putParameters("postprocess", InferParameter.newBuilder().setBoolParam(true).build())
                    .putParameters("conf", InferParameter.newBuilder().setDoubleParam(0.25).build()).build());
            assertEquals(List.of("detection_boxes", "detection_scores", "detection_classes", "num_detections"),
                    answered.getOutputsList().stream().map(o -> o.getName()).toList());
            assertEquals(dets.size(), (int) outputFloats(answered, 3)[0]);
            float[] boxes = outputFloats(answered, 0);
            float[] scores = outputFloats(answered, 1);
            JsonObject first = dets.getJsonObject(0);
            assertEquals(first.getDouble("score"), scores[0], 1e-6);
            assertEquals(first.getJsonArray("box").getDouble(0) / 405, boxes[1], 1e-3, "xmin normalised to the image");
            assertEquals(first.getJsonArray("box").getDouble(3) / 540, boxes[2], 1e-3, "ymax normalised to the image");
        }
    }

    @Test
    void postprocessOnAClassifierIsInvalidArgument() throws Exception {
        try (TestRuntime rt = TestRuntime.start("--model", TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(),
                "--model-name", "cnn"); GrpcClient client = new GrpcClient(rt.server().port())) {
            byte[] png = Files.readAllBytes(TestRuntime.fixture("images/cat32.png"));
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.blocking().modelInfer(
                    bytes("cnn", "input", List.of(png), 1).putParameters("postprocess",
                            InferParameter.newBuilder().setBoolParam(true).build()).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("classification"), e.getStatus().getDescription());
        }
    }
}
