package com.modelfactory.runtime.auth;

/**
 * What a token may reach, as Triton's restricted API groups them: running models, reading about them
 * (and managing the repository), the metrics, and the health probes, which are always open.
 */
public enum EndpointGroup {
    INFERENCE, METADATA, METRICS, HEALTH;

    /** The group of an HTTP request. */
    public static EndpointGroup ofHttp(String method, String path) {
        if (path.startsWith("/health") || path.startsWith("/v2/health")) {
            return HEALTH;
        }
        if (path.equals("/metrics")) {
            return METRICS;
        }
        boolean post = method.equals("POST");
        if (post && (path.equals("/predict") || path.endsWith("/infer") || path.endsWith(":predict")
                || path.endsWith(":classify") || path.endsWith(":regress"))) {
            return INFERENCE;
        }
        return METADATA;
    }

    /** The group of a gRPC method of inference.GRPCInferenceService. */
    public static EndpointGroup ofGrpc(String method) {
        return switch (method) {
            case "ModelInfer", "ModelStreamInfer" -> INFERENCE;
            case "ServerLive", "ServerReady", "ModelReady" -> HEALTH;
            default -> METADATA;
        };
    }

    /** The name in the tokens file and in the metric's label. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
