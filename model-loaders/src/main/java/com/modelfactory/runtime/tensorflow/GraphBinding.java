package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A model's signature and, for each input and output name, the graph tensor ("op:0") behind it:
 * what {@link TfSessionModel} needs. Built from a SignatureDef (SavedModel, meta graph) or from the
 * graph itself ({@link GraphEndpoints}).
 */
record GraphBinding(Signature signature, Map<String, String> inputTensors, Map<String, String> outputTensors) {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GraphBinding.class);

    /** The binding a SignatureDef describes, with config-declared shapes/types overriding where given. */
    static GraphBinding of(String key, SignatureDef def, List<TensorSpec> declaredInputs, List<TensorSpec> declaredOutputs)
            throws ModelLoadException {
        List<TensorSpec> inputs = new ArrayList<>();
        List<TensorSpec> outputs = new ArrayList<>();
        Map<String, String> in = new LinkedHashMap<>();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorInfo> e : def.getInputsMap().entrySet()) {
            inputs.add(override(spec(key, "input", e.getKey(), e.getValue()), e.getValue().getName(), declaredInputs));
            in.put(e.getKey(), e.getValue().getName());
        }
        for (Map.Entry<String, TensorInfo> e : def.getOutputsMap().entrySet()) {
            outputs.add(override(spec(key, "output", e.getKey(), e.getValue()), e.getValue().getName(), declaredOutputs));
            out.put(e.getKey(), e.getValue().getName());
        }
        if (outputs.isEmpty()) {
            throw new ModelLoadException("signature '" + key + "' has no outputs");
        }
        warnUnmatched(key, "input", declaredInputs, in);
        warnUnmatched(key, "output", declaredOutputs, out);
        return new GraphBinding(Signature.infer(inputs, outputs), in, out);
    }

    private static void warnUnmatched(String key, String role, List<TensorSpec> declared, Map<String, String> entries) {
        for (TensorSpec d : declared) {
            boolean found = entries.entrySet().stream().anyMatch(e -> names(d, e.getKey(), e.getValue()));
            if (!found) {
                log.warn("declared {} '{}' is none of signature '{}''s {}s {} (nor their graph tensors); ignored",
                        role, d.name(), key, role, entries.keySet());
            }
        }
    }

    /** A declared name matches a signature entry by its key or its graph tensor, with or without ":0". */
    private static boolean names(TensorSpec declared, String key, String graphTensor) {
        return TensorNames.same(declared.name(), key) || TensorNames.same(declared.name(), graphTensor);
    }

    private static TensorSpec spec(String key, String role, String name, TensorInfo info) throws ModelLoadException {
        if (info.getEncodingCase() != TensorInfo.EncodingCase.NAME) {
            throw new ModelLoadException("signature '" + key + "' " + role + " '" + name + "' is a "
                    + info.getEncodingCase() + " tensor; only dense tensors are served");
        }
        DataType t = TfTensors.dataTypeOrNull(info.getDtype());
        if (t == null) {
            throw new ModelLoadException("signature '" + key + "' " + role + " '" + name + "' has dtype "
                    + info.getDtype() + ", which the runtime does not serve (numeric and bool tensors only);"
                    + " pick another signature with the 'signature' config key");
        }
        return new TensorSpec(name, t, shape(info.getTensorShape()));
    }

    /** -1 for unknown dimensions, null for unknown rank (as TensorSpec wants). */
    static long[] shape(TensorShapeProto s) {
        if (s.getUnknownRank()) {
            return null;
        }
        long[] dims = new long[s.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            long d = s.getDim(i).getSize();
            dims[i] = d < 0 ? -1 : d;
        }
        return dims;
    }

    /**
     * A config entry naming this signature entry (its key or graph tensor, "name" or "name:0") replaces
     * the datatype and shape it states.
     */
    static TensorSpec override(TensorSpec fromModel, String graphTensor, List<TensorSpec> declared) {
        for (TensorSpec d : declared) {
            if (names(d, fromModel.name(), graphTensor)) {
                return new TensorSpec(fromModel.name(),
                        d.dataType() != null ? d.dataType() : fromModel.dataType(),
                        d.shapeKnown() ? d.shape() : fromModel.shape());
            }
        }
        return fromModel;
    }

    /** A readable summary of a SignatureDef for GET /model. */
    static Map<String, Object> describe(SignatureDef def) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("method", def.getMethodName());
        d.put("inputs", describe(def.getInputsMap()));
        d.put("outputs", describe(def.getOutputsMap()));
        return d;
    }

    private static Map<String, Object> describe(Map<String, TensorInfo> infos) {
        Map<String, Object> m = new LinkedHashMap<>();
        infos.forEach((name, info) -> {
            DataType t = TfTensors.dataTypeOrNull(info.getDtype());
            long[] shape = shape(info.getTensorShape());
            m.put(name, Map.of("tensor", info.getName(),
                    "datatype", t != null ? t.name()
                            : info.getDtype() == org.tensorflow.proto.DataType.DT_STRING ? "BYTES" : info.getDtype().name(),
                    "shape", shape == null ? "unknown" : java.util.Arrays.stream(shape).boxed().toList()));
        });
        return m;
    }
}
