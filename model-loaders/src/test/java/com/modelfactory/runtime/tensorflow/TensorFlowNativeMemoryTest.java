package com.modelfactory.runtime.tensorflow;

import static com.modelfactory.runtime.testing.EngineFixtures.fixture;
import static com.modelfactory.runtime.testing.EngineFixtures.reference;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.testing.NativeMemory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every call frees its TF tensors: 10,000 calls from 4 threads leave native memory flat. */
class TensorFlowNativeMemoryTest {

    @Test
    void tenThousandCallsFromFourThreadsDoNotGrowNativeMemory() throws Exception {
        TfNatives.prepare(null);
        Path dir = fixture("tf_savedmodel/tiny_cnn");
        // one 32x32x3 image per call: 12 KB in; a leaked input alone would add ~120 MB
        Map<String, Tensor> input = reference(dir.resolve("reference.json")).firstRows(1).inputs();
        try (LoadedModel m = TfTestModels.load(ModelFormat.SAVED_MODEL, dir)) {
            NativeMemory.Result r = NativeMemory.run(m, input, 4, 500, 10_000);
            System.out.println("TensorFlow " + r);
            assertTrue(r.growth() < 64L << 20, "native memory grew: " + r);
        }
    }
}
