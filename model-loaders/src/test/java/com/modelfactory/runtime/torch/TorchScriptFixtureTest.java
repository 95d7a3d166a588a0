package com.modelfactory.runtime.torch;

import static com.modelfactory.runtime.testing.EngineFixtures.assertClose;
import static com.modelfactory.runtime.testing.EngineFixtures.fixture;
import static com.modelfactory.runtime.testing.EngineFixtures.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.testing.EngineFixtures.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The project's own TorchScript fixtures (made by real torch, see src/test/fixtures/generate.py):
 * traced and scripted CNN, two inputs/two tuple outputs, dict outputs. Each must match the framework's
 * outputs in reference.json to 1e-4 at batch 2 and at batch 1.
 */
class TorchScriptFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny_cnn_traced", "tiny_cnn_scripted", "multi_io", "dict_out"})
    void matchesTorchAtBatchTwoAndOne(String name) throws Exception {
        Path dir = fixture("torchscript/" + name);
        Reference ref = reference(dir.resolve("reference.json"));
        LoadOptions options = LoadOptions.of(dir.resolve("model.pt")).withDevice(Device.CPU);
        try (LoadedModel m = Engines.load(new TorchScriptEngine(), ModelFormat.TORCHSCRIPT, options);
             Predictor p = m.newPredictor()) {
            assertEquals("signature.json", m.details().get("signature_from"));
            assertEquals(List.copyOf(ref.outputs().keySet()),
                    m.signature().outputs().stream().map(TensorSpec::name).toList(), "outputs named as the sidecar says");
            for (Reference r : List.of(ref, ref.firstRows(1))) {
                Map<String, Tensor> out = p.predict(r.inputs());
                assertEquals(List.copyOf(r.outputs().keySet()), List.copyOf(out.keySet()), "outputs in signature order");
                for (Map.Entry<String, Tensor> e : r.outputs().entrySet()) {
                    assertClose(e.getValue(), out.get(e.getKey()), 1e-4, name + " " + e.getKey() + " batch "
                            + e.getValue().shape()[0]);
                }
            }
        }
    }

    @Test
    void explicitCudaWithoutAGpuFailsAndAutoFallsBackToTheCpu() throws Exception {
        Path file = fixture("torchscript/multi_io/model.pt");
        DjlSetup.prepare(LoadOptions.of(file));
        assumeTrue(ai.djl.engine.Engine.getEngine(TorchScriptEngine.DJL_ENGINE).getGpuCount() == 0,
                "a GPU is visible; this checks the machine without one");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Engines.load(new TorchScriptEngine(),
                ModelFormat.TORCHSCRIPT, LoadOptions.of(file).withDevice(Device.parse("cuda:0"))));
        assertTrue(e.getMessage().contains("DEVICE=cuda:0") && e.getMessage().contains("DEVICE=auto or cpu"), e.getMessage());
        try (LoadedModel m = Engines.load(new TorchScriptEngine(), ModelFormat.TORCHSCRIPT, LoadOptions.of(file))) {
            assertEquals("cpu", m.device());
        }
    }

    @Test
    void wrongInputsAreClientErrors() throws Exception {
        Path dir = fixture("torchscript/multi_io");
        Reference ref = reference(dir.resolve("reference.json"));
        try (LoadedModel m = Engines.load(new TorchScriptEngine(), ModelFormat.TORCHSCRIPT,
                LoadOptions.of(dir.resolve("model.pt")).withDevice(Device.CPU)); Predictor p = m.newPredictor()) {
            Map<String, Tensor> one = Map.of("input_0", ref.inputs().get("input_0"));
            assertThrows(InvalidInputException.class, () -> p.predict(one));
            Map<String, Tensor> badShape = Map.of("input_0", Tensor.ofFloats(new long[] {1, 3}, 1f, 2f, 3f),
                    "input_1", Tensor.ofFloats(new long[] {1, 3}, 1f, 2f, 3f));
            assertThrows(InvalidInputException.class, () -> p.predict(badShape));
        }
    }

    /** Without a sidecar nothing states the datatype, so any may come: PyTorch refuses what it cannot take. */
    @Test
    void bytesForAnInputOfUnstatedDatatypeAreRefusedNamingIt(@TempDir Path tmp) throws Exception {
        Path file = Files.copy(fixture("torchscript/tiny_cnn_traced/model.pt"), tmp.resolve("model.pt"));
        try (LoadedModel m = Engines.load(new TorchScriptEngine(), ModelFormat.TORCHSCRIPT,
                LoadOptions.of(file).withDevice(Device.CPU)); Predictor p = m.newPredictor()) {
            String input = m.signature().inputs().get(0).name();
            Tensor strings = Tensor.ofBytes(new long[] {1}, List.of(new byte[] {'x'}));
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.predict(Map.of(input, strings)));
            assertTrue(e.getMessage().contains("'" + input + "'") && e.getMessage().contains("BYTES")
                    && e.getMessage().contains("PyTorch"), e.getMessage());
        }
    }

    @Test
    void aFileThatIsNotTorchScriptFailsWithAMessage(@TempDir Path tmp) throws Exception {
        Path bogus = Files.write(tmp.resolve("model.pt"), new byte[] {(byte) 0x80, 0x02, (byte) 78, (byte) 46});
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Engines.load(new TorchScriptEngine(),
                ModelFormat.TORCHSCRIPT, LoadOptions.of(bogus).withDevice(Device.CPU)));
        assertTrue(e.getMessage().contains(bogus.toString()), e.getMessage());
    }
}
