package com.modelfactory.runtime.repository;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Used memory of one GPU as the driver reports it ({@code nvidia-smi --query-gpu=memory.used}), for charging a
 * model what its load took on the device: ONNX Runtime, libtorch and TensorFlow each keep their own CUDA
 * allocator, so the process cannot ask one engine. In a container the NVIDIA runtime mounts nvidia-smi; where it
 * is missing the charge falls back to the model's files (a lower bound).
 */
final class GpuMemory {
    private GpuMemory() {
    }

    /** Bytes used on GPU {@code index}, or -1 when nvidia-smi cannot tell. */
    static long usedBytes(int index) {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits",
                    "-i", Integer.toString(index)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // waited for first (its answer is one short line, well inside a pipe's buffer): a hung driver must not
            // hold the repository's loads, which wait on this under the budget's lock
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            String out = new String(p.getInputStream().readAllBytes());
            return p.exitValue() == 0 ? parseMiB(out) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** nvidia-smi's "12345\n" (MiB) as bytes; -1 when it is not a number. */
    static long parseMiB(String out) {
        try {
            return Long.parseLong(out.trim().lines().findFirst().orElse("").trim()) << 20;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The GPU index of a device name ("cuda:1" -> 1), or -1 for the host. */
    static int index(String device) {
        if (device == null || !device.startsWith("cuda")) {
            return -1;
        }
        int colon = device.indexOf(':');
        return colon < 0 ? 0 : Integer.parseInt(device.substring(colon + 1));
    }
}
