package com.modelfactory.runtime.torch;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.torch.TorchScriptSchema.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a TorchScript model takes and returns, and how each input is passed to forward (tensor or
 * Python scalar). TorchScript records argument names and kinds but no shapes, so specs come from, in
 * order: the config's {@code inputs}/{@code outputs}, the {@code signature.json} sidecar, and the
 * forward signature in the archive (names and kinds only, shapes unknown: "shape unknown", any shape
 * accepted).
 *
 * <p>Where nothing states a tensor's datatype it is reported as FP32 (what image models take, and
 * what callers of the seam can rely on being non-null) and {@link #typeGuessed} lets any datatype
 * through for it.
 *
 * @param kinds       how each signature input is passed, in forward's argument order
 * @param typeGuessed names of inputs whose datatype nothing stated (FP32 is only a default)
 * @param source      where the specs came from, for GET /model ("config", "signature.json", "torchscript")
 */
record TorchIo(Signature signature, List<Kind> kinds, java.util.Set<String> typeGuessed, String source) {
    /** Reported for tensors whose datatype nothing states. */
    static final DataType DEFAULT_TYPE = DataType.FP32;

    static TorchIo resolve(Path modelFile, List<TensorSpec> declaredInputs, List<TensorSpec> declaredOutputs,
                           Optional<TorchScriptSchema> schema) throws ModelLoadException {
        List<TensorSpec> inputs;
        List<TensorSpec> outputs;
        String source;
        Optional<SignatureSidecar.Specs> sidecar = SignatureSidecar.besides(modelFile);
        if (!declaredInputs.isEmpty()) {
            inputs = declaredInputs;
            outputs = !declaredOutputs.isEmpty() ? declaredOutputs
                    : sidecar.map(SignatureSidecar.Specs::outputs).orElse(List.of());
            source = "config";
        } else if (sidecar.isPresent()) {
            inputs = sidecar.get().inputs();
            outputs = !declaredOutputs.isEmpty() ? declaredOutputs : sidecar.get().outputs();
            source = SignatureSidecar.FILE_NAME;
        } else if (schema.isPresent()) {
            inputs = new ArrayList<>();
            for (TorchScriptSchema.Arg a : schema.get().args()) {
                inputs.add(switch (a.kind()) {
                    case TENSOR -> new TensorSpec(a.name(), null, null); // datatype filled in below
                    case FLOAT -> new TensorSpec(a.name(), DataType.FP64, new long[0]);
                    case INT -> new TensorSpec(a.name(), DataType.INT64, new long[0]);
                    case BOOL -> new TensorSpec(a.name(), DataType.BOOL, new long[0]);
                });
            }
            outputs = declaredOutputs;
            source = "torchscript";
        } else {
            inputs = List.of(new TensorSpec("input_0", null, null)); // datatype filled in below
            outputs = declaredOutputs;
            source = "none";
        }
        if (outputs.isEmpty()) {
            outputs = defaultOutputs(schema);
        }
        inputs = inForwardOrder(inputs, schema);
        List<Kind> kinds = kinds(inputs, schema);
        java.util.Set<String> guessed = new java.util.LinkedHashSet<>();
        inputs = withDefaultType(inputs, guessed);
        outputs = withDefaultType(outputs, new java.util.HashSet<>());
        return new TorchIo(Signature.infer(inputs, outputs), kinds, java.util.Set.copyOf(guessed), source);
    }

    private static List<TensorSpec> withDefaultType(List<TensorSpec> specs, java.util.Set<String> guessed) {
        List<TensorSpec> out = new ArrayList<>();
        for (TensorSpec t : specs) {
            if (t.dataType() == null) {
                guessed.add(t.name());
                out.add(new TensorSpec(t.name(), DEFAULT_TYPE, t.shape()));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    /** forward takes its arguments by position: when the specs use its argument names, use its order. */
    private static List<TensorSpec> inForwardOrder(List<TensorSpec> inputs, Optional<TorchScriptSchema> schema) {
        if (schema.isEmpty()) {
            return inputs;
        }
        List<String> names = schema.get().args().stream().map(TorchScriptSchema.Arg::name).toList();
        if (!inputs.stream().allMatch(i -> names.contains(i.name()))) {
            return inputs;
        }
        List<TensorSpec> sorted = new ArrayList<>(inputs);
        sorted.sort(java.util.Comparator.comparingInt(i -> names.indexOf(i.name())));
        return sorted;
    }

    /** output_0..output_{n-1} from forward's declared return type; none (named at run time) for dicts. */
    private static List<TensorSpec> defaultOutputs(Optional<TorchScriptSchema> schema) {
        int n = schema.map(TorchScriptSchema::returnArity).orElse(1);
        List<TensorSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TensorSpec("output_" + i, DEFAULT_TYPE, null));
        }
        return out;
    }

    /**
     * Scalars (float/int/bool arguments of forward) are passed as Python numbers; everything else as
     * tensors. Matched by name when the specs use forward's argument names, else by position.
     */
    private static List<Kind> kinds(List<TensorSpec> inputs, Optional<TorchScriptSchema> schema)
            throws ModelLoadException {
        List<Kind> kinds = new ArrayList<>();
        if (schema.isEmpty()) {
            inputs.forEach(i -> kinds.add(Kind.TENSOR));
            return kinds;
        }
        List<TorchScriptSchema.Arg> args = schema.get().args();
        if (inputs.size() > args.size()) {
            throw new ModelLoadException("the model's forward takes " + args.size() + " arguments "
                    + args.stream().map(TorchScriptSchema.Arg::name).toList() + " but " + inputs.size()
                    + " inputs are declared");
        }
        for (int i = 0; i < inputs.size(); i++) {
            String name = inputs.get(i).name();
            TorchScriptSchema.Arg byName = args.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
            kinds.add((byName != null ? byName : args.get(i)).kind());
        }
        return kinds;
    }

    /** True when every input's shape is unknown to the runtime. */
    boolean shapesUnknown() {
        return signature.inputs().stream().noneMatch(TensorSpec::shapeKnown);
    }
}
