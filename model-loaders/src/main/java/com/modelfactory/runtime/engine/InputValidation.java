package com.modelfactory.runtime.engine;

import java.util.Arrays;
import java.util.Map;

/** Checks request tensors against a signature before they reach an engine. */
public final class InputValidation {
    private InputValidation() {
    }

    public static void check(Signature signature, Map<String, Tensor> inputs) {
        for (String name : inputs.keySet()) {
            if (signature.input(name) == null) {
                throw new InvalidInputException("unknown input '" + name + "'; the model's inputs are "
                        + signature.inputs().stream().map(TensorSpec::name).toList());
            }
        }
        for (TensorSpec spec : signature.inputs()) {
            Tensor t = inputs.get(spec.name());
            if (t == null) {
                throw new InvalidInputException("missing input '" + spec.name() + "' (" + spec + ")");
            }
            if (t.dataType() != spec.dataType() && spec.dataType() != null) {
                throw new InvalidInputException("input '" + spec.name() + "' has datatype " + t.dataType()
                        + " but the model expects " + spec.dataType());
            }
            if (!spec.shapeKnown()) {
                continue;
            }
            long[] want = spec.shape();
            long[] got = t.shape();
            boolean ok = want.length == got.length;
            for (int i = 0; ok && i < want.length; i++) {
                ok = want[i] < 0 || want[i] == got[i];
            }
            if (!ok) {
                throw new InvalidInputException("input '" + spec.name() + "' has shape " + Arrays.toString(got)
                        + " but the model expects " + Arrays.toString(want) + " (-1 = any size)");
            }
        }
    }
}
