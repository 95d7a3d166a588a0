package com.modelfactory.runtime.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether an NVIDIA GPU can be present at all, checked without loading any CUDA library. With
 * DEVICE=auto, engines only try CUDA when this is true: trying costs seconds (ONNX Runtime's CUDA
 * provider alone is 370 MB to extract and load) and fails on every CPU-only machine.
 */
public final class GpuProbe {
    private GpuProbe() {
    }

    /** A GPU driver is present and {@code CUDA_VISIBLE_DEVICES} (from the configuration) does not hide every GPU. */
    public static boolean nvidiaGpuVisible(EngineEnvironment environment) {
        if (environment.gpusHidden()) {
            return false;
        }
        return Files.exists(Path.of("/proc/driver/nvidia/version")) || Files.exists(Path.of("/dev/nvidia0"));
    }

    /** Whether an engine should try CUDA for this device request. */
    public static boolean shouldTryCuda(Device device, EngineEnvironment environment) {
        return switch (device.kind()) {
            case CPU -> false;
            case CUDA -> true;
            case AUTO -> nvidiaGpuVisible(environment);
        };
    }
}
