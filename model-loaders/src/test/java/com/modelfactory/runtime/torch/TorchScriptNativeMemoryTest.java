package com.modelfactory.runtime.torch;

import static com.modelfactory.runtime.testing.EngineFixtures.fixture;
import static com.modelfactory.runtime.testing.EngineFixtures.reference;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.testing.NativeMemory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every call closes its NDManager and IValues: 10,000 calls from 4 threads leave native memory flat. */
class TorchScriptNativeMemoryTest {

    @Test
    void tenThousandCallsFromFourThreadsDoNotGrowNativeMemory() throws Exception {
        Path dir = fixture("torchscript/tiny_cnn_traced");
        // one 3x32x32 image per call: 12 KB in; a leaked input alone would add ~120 MB
        Map<String, Tensor> input = reference(dir.resolve("reference.json")).firstRows(1).inputs();
        LoadOptions o = LoadOptions.of(dir.resolve("model.pt")).withDevice(Device.CPU);
        try (LoadedModel m = Engines.load(new TorchScriptEngine(), ModelFormat.TORCHSCRIPT, o)) {
            NativeMemory.Result r = NativeMemory.run(m, input, 4, 500, 10_000);
            System.out.println("PyTorch " + r);
            assertTrue(r.growth() < 64L << 20, "native memory grew: " + r);
        }
    }
}
