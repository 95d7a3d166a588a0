package com.modelfactory.runtime.onnx;

import com.modelfactory.runtime.engine.NativeCache;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Points ONNX Runtime at natives extracted once per installation (onnxruntime.native.path) instead of
 * letting it unpack them into a new temp dir at every start. Must run before the first ORT class loads.
 */
final class OnnxNatives {
    private static final String RESOURCE_DIR = "ai/onnxruntime/native/linux-x64";
    private static final List<String> CORE = List.of(
            "libonnxruntime.so", "libonnxruntime4j_jni.so", "libonnxruntime_providers_shared.so");
    private static final List<String> CUDA = List.of("libonnxruntime_providers_cuda.so");

    private OnnxNatives() {
    }

    /** @param cacheRoot the native cache folder (the configured one, or NativeCache.defaultRoot()) */
    static synchronized void prepare(Path cacheRoot, boolean withCuda) {
        if (System.getProperty("onnxruntime.native.path") != null
                || !System.getProperty("os.name", "").toLowerCase().contains("linux")
                || !System.getProperty("os.arch", "").matches("amd64|x86_64")) {
            return; // set by the operator, or a platform where ORT's own loader is the right choice
        }
        ClassLoader loader = OnnxNatives.class.getClassLoader();
        if (loader.getResource(RESOURCE_DIR + "/libonnxruntime.so") == null) {
            return;
        }
        List<String> files = new ArrayList<>(CORE);
        if (withCuda) {
            files.addAll(CUDA);
        }
        Path dir = NativeCache.extract(cacheRoot, "onnxruntime-" + artifactVersion(loader), loader, RESOURCE_DIR, files);
        System.setProperty("onnxruntime.native.path", dir.toString());
    }

    /** Cache key: version from the jar manifest, flavour from whether the CUDA provider is inside. */
    private static String artifactVersion(ClassLoader loader) {
        Package pkg = ai.onnxruntime.OrtException.class.getPackage();
        String version = pkg.getImplementationVersion() != null ? pkg.getImplementationVersion() : "unknown";
        boolean gpu = loader.getResource(RESOURCE_DIR + "/" + CUDA.get(0)) != null;
        return version + (gpu ? "-gpu" : "-cpu");
    }
}
