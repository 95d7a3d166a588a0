package com.modelfactory.runtime.engine;

import java.util.Arrays;

/**
 * Name, element type and shape of one model input or output. A dimension of -1 is dynamic.
 */
public record TensorSpec(String name, DataType dataType, long[] shape) {

    public TensorSpec {
        shape = shape == null ? null : shape.clone();
    }

    /** Shape unknown: the engine cannot tell (e.g. TorchScript without config). */
    public boolean shapeKnown() {
        return shape != null;
    }

    @Override
    public long[] shape() {
        return shape == null ? null : shape.clone();
    }

    public int rank() {
        return shape == null ? -1 : shape.length;
    }

    /** Dimension i, or -1 when dynamic or unknown. */
    public long dim(int i) {
        return shape == null || i >= shape.length ? -1 : shape[i];
    }

    public TensorSpec withShape(long[] newShape) {
        return new TensorSpec(name, dataType, newShape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.dataType == dataType
                && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ":" + dataType + (shape == null ? "[?]" : Arrays.toString(shape));
    }
}
