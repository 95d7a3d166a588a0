package com.modelfactory.runtime.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Locale;
import java.util.Map;

/**
 * Engine options (LoadOptions.engineOptions) as ONNX Runtime session settings: two names for the Java
 * API's own switches, every other name passed to ORT as a session config entry (see ORT's
 * onnxruntime_session_options_config_keys.h, e.g. {@code session.intra_op.allow_spinning=0}).
 */
final class SessionSettings {
    /** true/false: ORT's CPU memory arena (one per session; it keeps the largest batch's buffers). */
    static final String CPU_ARENA = "ort.cpu_arena";
    /** true/false: memory patterns (a pre-planned block per input shape seen). */
    static final String MEMORY_PATTERN = "ort.memory_pattern";

    /**
     * true/false (default true): serve an ONNX-ML ZipMap output from the probability tensor it zips
     * ({@link ZipMapRewrite}) rather than reading ONNX Runtime's maps record by record.
     */
    static final String ZIPMAP_TENSOR = "ort.zipmap_tensor";

    /** ONNX Runtime's switch for intra-op threads that spin-wait for work between runs (its default: on). */
    static final String ALLOW_SPINNING = "session.intra_op.allow_spinning";

    private SessionSettings() {
    }

    /**
     * The settings with ours where they say nothing: a session with more than one intra-op thread (0 is ORT's
     * every core) does not spin-wait. Its threads share the cores with the HTTP front end, the decoders and the
     * other workers; spinning took them from those. MobileNetV2's every-core copy at one client on 2 cores, 3
     * interleaved rounds: p99 24.8 / 24.5 / 19.8 ms spinning, 19.8 / 15.4 / 17.1 not; 32 clients unchanged.
     */
    static Map<String, String> withDefaults(Map<String, String> settings, int intraOpThreads) {
        if (intraOpThreads == 1 || settings.containsKey(ALLOW_SPINNING)) {
            return settings;
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(settings);
        all.put(ALLOW_SPINNING, "0");
        return all;
    }

    /** Whether ZipMap outputs are rewritten into tensors (see {@link #ZIPMAP_TENSOR}). */
    static boolean zipMapTensor(Map<String, String> settings) throws OrtException {
        String v = settings.get(ZIPMAP_TENSOR);
        return v == null || bool(Map.entry(ZIPMAP_TENSOR, v));
    }

    static void apply(OrtSession.SessionOptions opts, Map<String, String> settings) throws OrtException {
        for (Map.Entry<String, String> e : settings.entrySet()) {
            switch (e.getKey()) {
                case CPU_ARENA -> opts.setCPUArenaAllocator(bool(e));
                case MEMORY_PATTERN -> opts.setMemoryPatternOptimization(bool(e));
                default -> {
                    if (e.getKey().startsWith("session.") || e.getKey().startsWith("ep.")
                            || e.getKey().startsWith("optimization.") || e.getKey().startsWith("mlas.")) {
                        opts.addConfigEntry(e.getKey(), e.getValue());
                    }
                }
            }
        }
    }

    private static boolean bool(Map.Entry<String, String> e) throws OrtException {
        return switch (e.getValue().trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new OrtException("engine option " + e.getKey() + " must be true or false, not '"
                    + e.getValue() + "'");
        };
    }
}
