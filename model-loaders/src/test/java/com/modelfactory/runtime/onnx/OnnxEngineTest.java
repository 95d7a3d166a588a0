package com.modelfactory.runtime.onnx;

import static com.modelfactory.runtime.testing.EngineFixtures.assertClose;
import static com.modelfactory.runtime.testing.EngineFixtures.fixture;
import static com.modelfactory.runtime.testing.EngineFixtures.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.fetch.TinyOnnx;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.testing.EngineFixtures.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ONNX files exported by torch, run in ONNX Runtime behind the seam, against onnxruntime/torch's outputs. */
class OnnxEngineTest {

    @ParameterizedTest
    @ValueSource(strings = {"onnx/tiny_cnn", "onnx/mnist_flat", "onnx/initializer_inputs", "onnx/fixed_batch_nhwc"})
    void matchesTheFrameworkReferenceAtBatchOneAndMore(String dir) throws Exception {
        Path d = fixture(dir);
        Reference ref = reference(d.resolve("reference.json"));
        try (LoadedModel m = Engines.load(ModelFormat.ONNX, LoadOptions.of(d.resolve("model.onnx")).withDevice(Device.CPU));
             Predictor p = m.newPredictor()) {
            assertEquals("onnxruntime", m.engine());
            assertEquals("cpu", m.device());
            boolean fixedBatch = m.signature().maxBatch() > 0;
            for (Reference r : fixedBatch ? List.of(ref) : List.of(ref, ref.firstRows(1))) {
                Map<String, Tensor> out = p.predict(r.inputs());
                for (var e : r.outputs().entrySet()) {
                    assertClose(e.getValue(), out.get(e.getKey()), 1e-4, dir + " " + e.getKey());
                }
            }
        }
    }

    @Test
    void initializersListedAsGraphInputsAreNotInputs() throws Exception {
        try (LoadedModel m = Engines.load(ModelFormat.ONNX, LoadOptions.of(fixture("onnx/initializer_inputs/model.onnx")))) {
            assertEquals(List.of("input"), m.signature().inputs().stream().map(TensorSpec::name).toList());
            assertTrue(m.signature().batched());
        }
    }

    @Test
    void wrongShapeIsTheClientsError() throws Exception {
        try (LoadedModel m = Engines.load(ModelFormat.ONNX, LoadOptions.of(fixture("onnx/tiny_cnn/model.onnx")));
             Predictor p = m.newPredictor()) {
            assertThrows(InvalidInputException.class,
                    () -> p.predict(Map.of("input", Tensor.ofFloats(new long[] {1, 3, 8, 8}, new float[192]))));
        }
    }

    @Test
    void explicitCudaThatCannotBeHonouredFailsAndCorruptFilesFail() throws Exception {
        var machine = new com.modelfactory.runtime.engine.EngineEnvironment(null, System.getenv("CUDA_VISIBLE_DEVICES"), null);
        if (!com.modelfactory.runtime.engine.GpuProbe.nvidiaGpuVisible(machine)) {
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> Engines.load(ModelFormat.ONNX,
                    LoadOptions.of(fixture("onnx/tiny_cnn/model.onnx")).withDevice(Device.parse("cuda"))));
            assertTrue(e.getMessage().contains("cuda"), e.getMessage());
        }
        Path broken = Files.createTempFile("broken", ".onnx");
        Files.write(broken, java.util.Arrays.copyOf(Files.readAllBytes(fixture("onnx/tiny_cnn/model.onnx")), 500));
        assertThrows(ModelLoadException.class, () -> Engines.load(ModelFormat.ONNX, LoadOptions.of(broken)));
        Files.delete(broken);
    }

    @Test
    void bfloat16TensorsGoInAndComeOut(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path file = Files.write(tmp.resolve("bf16.onnx"), TinyOnnx.identity(TinyOnnx.BFLOAT16));
        try (LoadedModel m = Engines.load(ModelFormat.ONNX, LoadOptions.of(file).withDevice(Device.CPU));
             Predictor p = m.newPredictor()) {
            assertEquals(DataType.BF16, m.signature().input("X").dataType());
            Tensor x = Tensor.allocate(DataType.BF16, new long[] {1, 2});
            x.setDouble(0, 1.5);
            x.setDouble(1, -3.25);
            Tensor y = p.predict(Map.of("X", x)).get("Y");
            assertEquals(DataType.BF16, y.dataType());
            assertArrayEquals(new double[] {1.5, -3.25}, y.toDoubles());
        }
    }

    @Test
    void bytesForANumericInputAreTheClientsError() throws Exception {
        try (LoadedModel m = Engines.load(ModelFormat.ONNX, LoadOptions.of(fixture("onnx/tiny_cnn/model.onnx")));
             Predictor p = m.newPredictor()) {
            long[] shape = m.signature().inputs().get(0).shape();
            shape[0] = 1;
            int n = (int) Tensor.elementCount(shape);
            Tensor strings = Tensor.ofBytes(shape, java.util.Collections.nCopies(n, new byte[] {1}));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> p.predict(Map.of("input", strings)));
            assertTrue(e.getMessage().contains("'input'") && e.getMessage().contains("BYTES"), e.getMessage());
        }
    }

    /** Detection chose the file; the engine does not search a folder for one again. */
    @Test
    void theEngineLoadsTheFileItIsGivenNotAFolder() throws Exception {
        Path dir = fixture("onnx/tiny_cnn");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Engines.load(ModelFormat.ONNX, LoadOptions.of(dir)));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
    }
}
