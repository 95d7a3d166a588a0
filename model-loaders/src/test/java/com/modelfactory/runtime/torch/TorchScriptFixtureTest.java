package com.modelfactory.runtime.torch;

import static com.modelfactory.runtime.testing.TestModels.assertClose;
import static com.modelfactory.runtime.testing.TestModels.fixture;
import static com.modelfactory.runtime.testing.TestModels.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.format.ModelFormat;
import com.modelfactory.runtime.testing.TestModels.Reference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        try (LoadedModel m = new TorchScriptEngine().load(ModelFormat.TORCHSCRIPT, options);
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
}
