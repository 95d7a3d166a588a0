package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The machine facts engines get from the configuration instead of reading the environment. */
class EngineEnvironmentTest {

    @Test
    void cudaVisibleDevicesMinusOneOrEmptyHidesEveryGpu() {
        assertTrue(new EngineEnvironment(null, "-1", null).gpusHidden());
        assertTrue(new EngineEnvironment(null, " ", null).gpusHidden());
        assertFalse(new EngineEnvironment(null, "0,1", null).gpusHidden());
        assertFalse(EngineEnvironment.DEFAULT.gpusHidden(), "unset hides nothing");
        EngineEnvironment hidden = new EngineEnvironment(null, "-1", null);
        assertFalse(GpuProbe.nvidiaGpuVisible(hidden));
        assertFalse(GpuProbe.shouldTryCuda(Device.AUTO, hidden), "auto does not try hidden GPUs");
        assertTrue(GpuProbe.shouldTryCuda(Device.parse("cuda"), hidden), "an explicit request still tries");
        assertFalse(GpuProbe.shouldTryCuda(Device.CPU, EngineEnvironment.DEFAULT));
    }

    @Test
    void theNativeCacheIsTheConfiguredFolderElseThePerUserOne() {
        assertEquals(Path.of("/opt/natives"), new EngineEnvironment(Path.of("/opt/natives"), null, null).nativeRoot());
        assertEquals(NativeCache.defaultRoot(), EngineEnvironment.DEFAULT.nativeRoot());
        assertTrue(NativeCache.defaultRoot().endsWith(Path.of(".cache", "model-runtime", "natives")));
        assertEquals(EngineEnvironment.DEFAULT, LoadOptions.of(Path.of("m.onnx")).environment());
    }
}
