package com.modelfactory.runtime.torch;

import static com.modelfactory.runtime.testing.EngineFixtures.assertClose;
import static com.modelfactory.runtime.testing.EngineFixtures.npy;
import static com.modelfactory.runtime.testing.EngineFixtures.shared;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TorchScript files from ../shared/models (skipped when absent) through the DJL PyTorch engine. */
class TorchScriptCorpusTest {

    private static LoadedModel load(LoadOptions o) throws Exception {
        return Engines.load(new TorchScriptEngine(), ModelFormat.TORCHSCRIPT, o.withDevice(Device.CPU));
    }

    @Test
    void tracedAndScriptedMnistMatchTheirNpyReference() throws Exception {
        Path dir = shared("torchscript/generated_from_onnx_mlir_mnist");
        Tensor x = npy(dir.resolve("input_digit0_1x1x28x28.npy"));
        Tensor expected = npy(dir.resolve("expected_output_1x10.npy"));
        for (String f : List.of("mnist_traced.pt", "mnist_scripted.pt")) {
            try (LoadedModel m = load(LoadOptions.of(dir.resolve(f))); Predictor p = m.newPredictor()) {
                System.out.println(f + ": " + m.signature() + " " + m.details());
                // no config, no sidecar: the name comes from forward(x), the shape is unknown
                assertEquals("x", m.signature().inputs().get(0).name());
                assertNull(m.signature().inputs().get(0).shape());
                assertEquals(DataType.FP32, m.signature().inputs().get(0).dataType(), "default datatype reported");
                Map<String, Tensor> out = p.predict(Map.of("x", x));
                assertClose(expected, out.get("output_0"), 1e-5, f);
            }
        }
    }

    @Test
    void demoModelTakesATensorAndAPythonFloat() throws Exception {
        Path file = shared("torchscript/pytorch_java_demo/demo-model.pt1");
        ByteBuffer ints = ByteBuffer.allocate(6 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v = 1; v <= 6; v++) {
            ints.putLong(v);
        }
        ints.flip();
        Tensor data = new Tensor(DataType.INT64, new long[] {2, 3}, ints);
        try (LoadedModel m = load(LoadOptions.of(file)); Predictor p = m.newPredictor()) {
            System.out.println("demo: " + m.signature() + " " + m.details());
            assertEquals(List.of("data", "incr"), m.signature().inputs().stream().map(TensorSpec::name).toList());
            assertArrayEquals(new long[0], m.signature().input("incr").shape());
            Map<String, Tensor> out = p.predict(Map.of("data", data, "incr", Tensor.ofFloats(new long[] {1}, 3f)));
            assertArrayEquals(new double[] {11, 13, 15}, out.get("output_0").toDoubles());
            assertThrows(InvalidInputException.class,
                    () -> p.predict(Map.of("data", data, "incr", Tensor.ofFloats(new long[] {2}, 3f, 4f))));
        }
        // declared in config, in another order than forward's: passed by forward's argument order
        LoadOptions declared = new LoadOptions(file, Device.CPU, 0, 0, null,
                List.of(new TensorSpec("incr", DataType.FP32, new long[0]), new TensorSpec("data", DataType.INT64, new long[] {-1, 3})),
                List.of(new TensorSpec("sums", null, null)), null);
        try (LoadedModel m = load(declared); Predictor p = m.newPredictor()) {
            assertFalse(m.signature().batched() && m.signature().inputs().size() > 2);
            Map<String, Tensor> out = p.predict(Map.of("data", data, "incr", Tensor.ofFloats(new long[0], 3f)));
            assertArrayEquals(new double[] {11, 13, 15}, out.get("sums").toDoubles());
        }
    }
}
