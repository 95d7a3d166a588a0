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
        SCALAR,
        /**
         * A column of a tabular model: one value per record, sent as [N] or [N, 1] and, for a numeric spec, of
         * any numeric datatype (JSON numbers arrive as FP64, MLServer's pandas columns as INT64 or FP64).
         * {@link #conform} turns it into the spec's shape and datatype before it is checked.
         */
        COLUMN
    }

    /**
     * The inputs with every {@link Rule#COLUMN} input in its spec's shape ([N] or [N, 1]) and datatype (numbers
     * converted, which may round: FP64 to FP32); others as given. A BYTES column for a numeric spec, or numbers
     * for a BYTES spec, are left for {@link #check} to refuse.
     */
    public static Map<String, Tensor> conform(Signature signature, Map<String, Rule> rules, Map<String, Tensor> inputs) {
        if (!rules.containsValue(Rule.COLUMN)) {
            return inputs;
        }
        Map<String, Tensor> out = new java.util.LinkedHashMap<>(splitRecordMatrix(signature, inputs));
        for (Map.Entry<String, Tensor> e : Map.copyOf(out).entrySet()) {
            TensorSpec spec = signature.input(e.getKey());
            if (spec != null && rules.get(spec.name()) == Rule.COLUMN) {
                out.put(e.getKey(), column(spec, e.getValue()));
            }
        }
        return out;
    }

    /**
     * One [N, F] tensor, not named as any input, for a model of F column inputs: records as rows, values in the
     * model's input order (a v2 client sending a feature matrix). Split into the F columns; else as given.
     */
    private static Map<String, Tensor> splitRecordMatrix(Signature signature, Map<String, Tensor> inputs) {
        int fields = signature.inputs().size();
        if (inputs.size() != 1 || fields < 2) {
            return inputs;
        }
        Map.Entry<String, Tensor> only = inputs.entrySet().iterator().next();
        Tensor t = only.getValue();
        long[] shape = t.shape();
        if (signature.input(only.getKey()) != null || shape.length != 2 || shape[1] != fields) {
            return inputs;
        }
        int n = Math.toIntExact(shape[0]);
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (int c = 0; c < fields; c++) {
            TensorSpec spec = signature.inputs().get(c);
            out.put(spec.name(), matrixColumn(spec, t, n, fields, c));
        }
        return out;
    }

    private static Tensor matrixColumn(TensorSpec spec, Tensor t, int n, int fields, int c) {
        if (spec.dataType() == DataType.BYTES) {
            java.util.List<byte[]> text = new java.util.ArrayList<>(n);
            for (int r = 0; r < n; r++) {
                text.add(t.dataType() == DataType.BYTES ? bytes(t.bytesElement(r * fields + c))
                        : Double.toString(t.getDouble(r * fields + c)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return Tensor.ofBytes(new long[]{n}, text);
        }
        Tensor column = Tensor.allocateHeap(DataType.FP64, new long[]{n});
        for (int r = 0; r < n; r++) {
            column.setDouble(r, t.dataType() == DataType.BYTES ? parse(spec, t.bytesElement(r * fields + c))
                    : t.getDouble(r * fields + c));
        }
        return column;
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static double parse(TensorSpec spec, java.nio.ByteBuffer b) {
        String s = java.nio.charset.StandardCharsets.UTF_8.decode(b).toString().trim();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("input '" + spec.name() + "' takes numbers but got '" + s + "'");
        }
    }

    private static Tensor column(TensorSpec spec, Tensor t) {
        long[] got = t.shape();
        boolean oneColumn = got.length == 1 || (got.length == 2 && got[1] == 1);
        if (!oneColumn || !spec.shapeKnown() || spec.rank() < 1 || spec.rank() > 2) {
            return t;
        }
        long[] shape = spec.rank() == 1 ? new long[]{got[0]} : new long[]{got[0], 1};
        boolean numeric = spec.dataType() != DataType.BYTES && t.dataType() != DataType.BYTES;
        if (numeric && t.dataType() != spec.dataType()) {
            Tensor converted = Tensor.allocateHeap(spec.dataType(), shape);
            int n = (int) t.elementCount();
            for (int i = 0; i < n; i++) {
                double v = t.getDouble(i);
                if (!spec.dataType().isFloatingPoint() && (Double.isNaN(v) || v != Math.rint(v))) {
                    // an integer or boolean column has no missing value, and 2.7 is not 2
                    throw new InvalidInputException("input '" + spec.name() + "' is a " + spec.dataType()
                            + " column: record " + i + " has " + (Double.isNaN(v) ? "no value" : "the value " + v)
                            + ", which it cannot take");
                }
                converted.setDouble(i, v);
            }
            return converted;
        }
        return got.length == shape.length ? t : new Tensor(t.dataType(), shape, t.data());
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
            if ((rule == Rule.EXACT || rule == Rule.COLUMN) && spec.dataType() != null && t.dataType() != spec.dataType()) {
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
