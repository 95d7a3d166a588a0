package com.modelfactory.runtime.keras;

import java.util.Arrays;

/**
 * One weight array read from the H5 file.
 *
 * @param name   the name from the layer's {@code weight_names} ("dense/kernel:0", "inner/dense_2/kernel", "dense_1_W")
 * @param shape  dimensions as stored
 * @param values row-major values, converted to float
 */
record NamedArray(String name, long[] shape, float[] values) {

    /** The last path component without the TF ":0" suffix: "kernel", "moving_mean", "dense_1_W". */
    String baseName() {
        String n = name;
        int slash = n.lastIndexOf('/');
        if (slash >= 0) {
            n = n.substring(slash + 1);
        }
        int colon = n.lastIndexOf(':');
        return colon >= 0 ? n.substring(0, colon) : n;
    }

    /** The path components before the base name (the scopes of the layers that own it). */
    String[] scopes() {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? new String[0] : name.substring(0, slash).split("/");
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
