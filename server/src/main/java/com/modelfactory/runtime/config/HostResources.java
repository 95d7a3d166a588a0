package com.modelfactory.runtime.config;

import com.modelfactory.runtime.engine.EngineEnvironment;
import com.modelfactory.runtime.engine.GpuProbe;

/**
 * The machine the runtime resolves its automatic settings against: thread and worker counts are
 * computed from it once, in the configuration, not wherever they are used.
 *
 * @param cores      processors the JVM may use (a container's CPU limit included)
 * @param gpuVisible an NVIDIA GPU is visible, so device auto will try CUDA
 */
public record HostResources(int cores, boolean gpuVisible) {

    public HostResources {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be >= 1");
        }
    }

    /** This machine. */
    public static HostResources detect(EngineEnvironment environment) {
        return new HostResources(Runtime.getRuntime().availableProcessors(), GpuProbe.nvidiaGpuVisible(environment));
    }
}
