package com.modelfactory.runtime.engine;

import java.util.Arrays;
import java.util.Map;

/**
 * Checks request tensors against a signature before they reach an engine. {@link Engines#load} runs it
 * on every batch (engines do not check again); the server may run it earlier, at admission.
 */
public final class InputValidation {
    private InputValidation() {
    }

    /** How one input is checked against its spec. */
    public enum Rule {
        /** Datatype and shape as the spec says (a dimension of -1 takes any size). */
        EXACT,
        /** Shape as the spec says, any datatype: the model states none, the spec's datatype is a default. */
        ANY_DATATYPE,
        /** One element of any numeric datatype, e.g. a Python scalar argument of a TorchScript forward. */
        SCALAR
    }

    /** Every input checked {@link Rule#EXACT}ly. */
    public static void check(Signature signature, Map<String, Tensor> inputs) {
        check(signature, Map.of(), inputs);
    }

    /** @param rules how each input is checked; inputs not in the map are checked {@link Rule#EXACT}ly */
    public static void check(Signature signature, Map<String, Rule> rules, Map<String, Tensor> inputs) {
        for (String name : inputs.keySet()) {
            if (signature.input(name) == null) {
                throw new InvalidInputException("unknown input '" + name + "'; the model's inputs are "
                        + signature.inputs().stream().map(TensorSpec::name).toList());
            }
        }
        for (TensorSpec spec : signature.inputs()) {
            Tensor t = inputs.get(spec.name());
            Rule rule = rules.getOrDefault(spec.name(), Rule.EXACT);
            if (t == null) {
                throw new InvalidInputException("missing input '" + spec.name() + "' ("
                        + (rule == Rule.SCALAR ? "a single value" : spec.toString()) + ")");
            }
            if (rule == Rule.SCALAR) {
                checkScalar(spec, t);
                continue;
            }
            if (rule == Rule.EXACT && spec.dataType() != null && t.dataType() != spec.dataType()) {
                throw new InvalidInputException("input '" + spec.name() + "' has datatype " + t.dataType()
                        + " but the model expects " + spec.dataType());
            }
            checkShape(spec, t);
        }
    }

    private static void checkScalar(TensorSpec spec, Tensor t) {
        if (t.dataType() == DataType.BYTES) {
            throw new InvalidInputException("input '" + spec.name() + "' is a single number but BYTES were sent");
        }
        if (t.elementCount() != 1) {
            throw new InvalidInputException("input '" + spec.name() + "' is a single value but " + t.elementCount()
                    + " were sent");
        }
    }

    private static void checkShape(TensorSpec spec, Tensor t) {
        if (!spec.shapeKnown()) {
            return;
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
