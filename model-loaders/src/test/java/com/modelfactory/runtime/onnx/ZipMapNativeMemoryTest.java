package com.modelfactory.runtime.onnx;

import static com.modelfactory.runtime.testing.EngineFixtures.fixture;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.testing.NativeMemory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZipMap outputs leave native memory flat, served as tensors (the default) and read map by map (the maps are
 * closed after reading: ONNX Runtime leaves them to the caller; unclosed they leaked ~18 KB a call of 64
 * records, 177 MB in 10,000 calls).
 */
class ZipMapNativeMemoryTest {

    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void manyZipMapCallsDoNotGrowNativeMemory(String zipMapTensor) throws Exception {
        LoadOptions o = LoadOptions.of(fixture("tabular/quality_gbdt/model.onnx"));
        o = new LoadOptions(o.modelPath(), o.device(), 0, 0, null, null, null, null,
                Map.of("ort.zipmap_tensor", zipMapTensor));
        try (LoadedModel m = Engines.load(ModelFormat.ONNX, o)) {
            Map<String, Tensor> input = new LinkedHashMap<>();
            float[] values = new float[64];
            for (int i = 0; i < values.length; i++) {
                values[i] = (i % 7) - 3;
            }
            m.signature().inputs().forEach(spec -> {
                Tensor t = Tensor.allocate(com.modelfactory.runtime.engine.DataType.FP32, new long[]{64, 1});
                t.mutableData().asFloatBuffer().put(values);
                input.put(spec.name(), t);
            });
            // the tensor path is 4x faster: more calls, so the JVM has touched its young generation before measuring
            NativeMemory.Result r = NativeMemory.run(m, input, 2, 500, zipMapTensor.equals("true") ? 40_000 : 10_000);
            System.out.println("ONNX-ML ZipMap (ort.zipmap_tensor=" + zipMapTensor + ") " + r);
            assertTrue(r.growth() < 48L << 20, "native memory grew: " + r);
        }
    }
}
