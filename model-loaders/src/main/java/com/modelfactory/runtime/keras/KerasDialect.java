package com.modelfactory.runtime.keras;

/**
 * Which Keras wrote the file, where that changes the arithmetic of a layer.
 *
 * @param version the keras_version attribute ("2.2.4-tf", "3.15.1"), or "unknown"
 * @param major   its major version (1, 2 or 3)
 * @param minor   its minor version
 */
record KerasDialect(String version, int major, int minor) {

    static KerasDialect of(String version) {
        if (version == null || version.isBlank()) {
            return new KerasDialect("unknown", 2, 0);
        }
        String[] parts = version.split("[.-]");
        int major = parseOr(parts, 0, 2);
        int minor = parseOr(parts, 1, 0);
        return new KerasDialect(version, major, minor);
    }

    private static int parseOr(String[] parts, int i, int fallback) {
        try {
            return i < parts.length ? Integer.parseInt(parts[i]) : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Keras 1 and 2 define hard_sigmoid as clip(0.2x + 0.5); Keras 3 as relu6(x + 3) / 6. */
    boolean hardSigmoidIsLinearClip() {
        return major < 3;
    }

    /**
     * Keras before 2.3 resized with TF 1's resize_bilinear(align_corners=False) and no half-pixel centres;
     * tf.keras in TF 2 and Keras 3 use half-pixel centres.
     */
    boolean bilinearHalfPixel() {
        return major >= 3 || (major == 2 && minor >= 3);
    }
}
