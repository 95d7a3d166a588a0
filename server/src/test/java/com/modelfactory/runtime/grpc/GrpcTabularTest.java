package com.modelfactory.runtime.grpc;

import static com.modelfactory.runtime.grpc.GrpcRequests.input;
import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.modelfactory.runtime.grpc.proto.InferTensorContents;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferResponse;
import com.modelfactory.runtime.testing.TestRuntime;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A tabular model over gRPC ModelInfer with grpc-java and the Triton/KServe proto: one input per field (FP64
 * typed contents for numbers, BYTES for the string column), answers under the model's output names with
 * scikit-learn's labels and probabilities; an invalid value is INVALID_ARGUMENT naming the field.
 */
class GrpcTabularTest {
    private static final List<String> NUMBERS = List.of("sepal_length", "sepal_width", "petal_length", "petal_width");

    @ParameterizedTest
    @ValueSource(strings = {"model.pmml", "model.onnx"})
    void columnsInAnswersOut(String file) throws Exception {
        JsonObject ref = new JsonObject(Files.readString(fixture("tabular/iris_logreg/reference.json")));
        JsonArray records = ref.getJsonArray("records");
        try (TestRuntime rt = TestRuntime.start("--model", fixture("tabular/iris_logreg/" + file).toString());
             GrpcClient client = new GrpcClient(rt.server().port())) {
            ModelInferResponse r = client.blocking().modelInfer(request(rt.name(), records, null));
            int labelAt = outputIndex(r, file.endsWith(".pmml") ? "predicted_species" : "output_label");
            ByteBuffer labels = r.getRawOutputContents(labelAt).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < records.size(); i++) {
                byte[] label = new byte[labels.getInt()];
                labels.get(label);
                assertEquals(ref.getJsonArray("labels").getString(i), new String(label), "record " + i);
            }
            if (file.endsWith(".onnx")) {
                int probsAt = outputIndex(r, "output_probability");
                ByteBuffer p = r.getRawOutputContents(probsAt).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(List.of((long) records.size(), 3L), r.getOutputs(probsAt).getShapeList());
                assertEquals(ref.getJsonArray("probabilities").getJsonArray(0).getDouble(0), p.getFloat(0), 1e-5);
            }
            if (file.endsWith(".pmml")) {
                StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                        () -> client.blocking().modelInfer(request(rt.name(), records, "purple")));
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
                org.junit.jupiter.api.Assertions.assertTrue(e.getStatus().getDescription().contains("'colour'"),
                        e.getStatus().getDescription());
            }
        }
    }

    private static ModelInferRequest request(String model, JsonArray records, String colourOfFirst) {
        int n = records.size();
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
        for (String f : NUMBERS) {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            records.forEach(r -> c.addFp64Contents(((JsonObject) r).getDouble(f)));
            b.addInputs(input(f, "FP64", n, 1).setContents(c));
        }
        InferTensorContents.Builder colours = InferTensorContents.newBuilder();
        for (int i = 0; i < n; i++) {
            String colour = i == 0 && colourOfFirst != null ? colourOfFirst : records.getJsonObject(i).getString("colour");
            colours.addBytesContents(ByteString.copyFromUtf8(colour));
        }
        return b.addInputs(input("colour", "BYTES", n, 1).setContents(colours)).build();
    }

    private static int outputIndex(ModelInferResponse r, String name) {
        for (int i = 0; i < r.getOutputsCount(); i++) {
            if (r.getOutputs(i).getName().equals(name)) {
                return i;
            }
        }
        throw new AssertionError(name + " not among " + r.getOutputsList());
    }
}
