package com.modelfactory.runtime.keras;

import com.google.gson.JsonElement;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Rebuilds a Keras model as TensorFlow ops in a {@link Graph}: a placeholder per InputLayer, each layer
 * call in dependency order through its {@link LayerConverter}, weights as constants, nested models
 * inlined with their own weights, and an identity op per model output.
 */
final class KerasGraphBuilder {
    private final Graph graph;
    private final Ops root;
    private final KerasDialect dialect;
    private final Set<String> usedScopes = new HashSet<>();

    KerasGraphBuilder(Graph graph, KerasDialect dialect) {
        this.graph = graph;
        this.root = Ops.create(graph);
        this.dialect = dialect;
    }

    KerasGraph build(ModelSpec model, Function<String, LayerWeights> weights) throws ModelLoadException {
        if (model.inputs().isEmpty() || model.outputs().isEmpty()) {
            throw new ModelLoadException("the Keras model '" + model.name() + "' declares no inputs or no outputs");
        }
        List<KerasGraph.Endpoint> inputs = new ArrayList<>();
        List<Operand<TFloat32>> fed = new ArrayList<>();
        for (TensorRef ref : model.inputs()) {
            LayerSpec layer = model.layer(ref.layer());
            if (layer == null || !"InputLayer".equals(layer.className())) {
                throw new ModelLoadException("model input " + ref + " is not an InputLayer of the model");
            }
            String opName = unique(sanitize(layer.name()));
            TensorSpec spec = inputSpec(layer);
            Operand<TFloat32> value = placeholder(opName, spec);
            inputs.add(new KerasGraph.Endpoint(spec, opName + ":0"));
            fed.add(value);
        }
        List<Operand<TFloat32>> results = run(root, model, weights, fed);
        List<KerasGraph.Endpoint> outputs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < results.size(); i++) {
            TensorRef ref = model.outputs().get(i);
            String name = names.add(ref.layer()) ? ref.layer() : ref.layer() + "_" + ref.node() + "_" + ref.tensor();
            String opName = unique(sanitize("output_" + name));
            Operand<TFloat32> out = root.withName(opName).identity(results.get(i));
            long[] shape = LayerContext.dims(out);
            if (shape != null && shape.length > 0) {
                shape[0] = -1;
            }
            outputs.add(new KerasGraph.Endpoint(new TensorSpec(name, DataType.FP32, shape), opName + ":0"));
        }
        return new KerasGraph(inputs, outputs);
    }

    /** Evaluates every layer call of a model once its inputs exist; returns the model's outputs. */
    private List<Operand<TFloat32>> run(Ops scope, ModelSpec model, Function<String, LayerWeights> weights,
                                        List<Operand<TFloat32>> inputs) throws ModelLoadException {
        if (inputs.size() != model.inputs().size()) {
            throw new ModelLoadException("the Keras model '" + model.name() + "' takes " + model.inputs().size()
                    + " inputs but is called with " + inputs.size());
        }
        Map<TensorRef, Operand<TFloat32>> values = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            values.put(model.inputs().get(i), inputs.get(i));
        }
        evaluate(scope, model, weights, values);
        List<Operand<TFloat32>> outputs = new ArrayList<>();
        for (TensorRef ref : model.outputs()) {
            Operand<TFloat32> v = values.get(ref);
            if (v == null) {
                throw new ModelLoadException("the Keras model '" + model.name() + "' output " + ref
                        + " cannot be computed from its inputs (the layer graph in the config is incomplete)");
            }
            outputs.add(v);
        }
        return outputs;
    }

    /**
     * Calls layers in passes until no call is left whose inputs all exist: the config lists layers, not
     * an evaluation order, and a shared layer is called once per node.
     */
    private void evaluate(Ops scope, ModelSpec model, Function<String, LayerWeights> weights,
                          Map<TensorRef, Operand<TFloat32>> values) throws ModelLoadException {
        Set<String> done = new HashSet<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (LayerSpec layer : model.layers()) {
                for (int call = 0; call < layer.calls().size(); call++) {
                    List<TensorRef> in = layer.calls().get(call);
                    if (values.keySet().containsAll(in) && done.add(layer.name() + "#" + call)) {
                        List<Operand<TFloat32>> args = new ArrayList<>(in.size());
                        in.forEach(r -> args.add(values.get(r)));
                        List<Operand<TFloat32>> outs = call(scope, layer, call, weights, args);
                        for (int t = 0; t < outs.size(); t++) {
                            values.put(new TensorRef(layer.name(), call, t), outs.get(t));
                        }
                        progress = true;
                    }
                }
            }
        }
    }

    private List<Operand<TFloat32>> call(Ops scope, LayerSpec layer, int call, Function<String, LayerWeights> weights,
                                         List<Operand<TFloat32>> args) throws ModelLoadException {
        Ops layerScope = scope.withSubScope(unique(sanitize(layer.name()) + (call == 0 ? "" : "_call" + call)));
        if (layer.nested() != null) {
            LayerWeights own = weights.apply(layer.name());
            return run(layerScope, layer.nested(), own::forSublayer, args);
        }
        LayerConverter converter = LayerRegistry.converterFor(layer);
        LayerContext context = new LayerContext(layerScope, layer, weights.apply(layer.name()), dialect);
        try {
            List<Operand<TFloat32>> outputs = converter.apply(context, args);
            List<NamedArray> unused = context.weights().unused();
            if (!unused.isEmpty()) {
                throw new ModelLoadException("Keras layer '" + layer.name() + "' (" + layer.className()
                        + "): the H5 file holds weights " + unused + " that its config does not use; "
                        + "the config and the weights disagree");
            }
            return outputs;
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException
                 | ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
            // TF shape inference rejects ops whose shapes do not fit (IllegalArgumentException), a config
            // of an unexpected form fails in Gson: name the layer either way.
            throw new ModelLoadException("Keras layer '" + layer.name() + "' (" + layer.className()
                    + ") could not be rebuilt: " + e.getMessage(), e);
        }
    }

    private Operand<TFloat32> placeholder(String opName, TensorSpec spec) {
        Shape shape = spec.shape() == null ? Shape.unknown() : Shape.of(spec.shape());
        Ops named = root.withName(opName);
        return switch (spec.dataType()) {
            case INT32 -> root.dtypes.cast(named.placeholder(TInt32.class, Placeholder.shape(shape)), TFloat32.class);
            case INT64 -> root.dtypes.cast(named.placeholder(TInt64.class, Placeholder.shape(shape)), TFloat32.class);
            default -> named.placeholder(TFloat32.class, Placeholder.shape(shape));
        };
    }

    /** Name, element type and shape (batch dynamic) from an InputLayer config. */
    static TensorSpec inputSpec(LayerSpec layer) throws ModelLoadException {
        var c = layer.config();
        JsonElement shape = c.has("batch_input_shape") ? c.get("batch_input_shape") : c.get("batch_shape");
        long[] dims = null;
        if (shape != null && shape.isJsonArray()) {
            dims = LayerContext.shape(shape);
        } else if (c.has("input_shape") && c.get("input_shape").isJsonArray()) {
            long[] s = LayerContext.shape(c.get("input_shape"));
            dims = new long[s.length + 1];
            dims[0] = -1;
            System.arraycopy(s, 0, dims, 1, s.length);
        }
        if (dims == null || dims.length == 0) {
            throw new ModelLoadException("InputLayer '" + layer.name() + "' declares no shape (batch_input_shape, "
                    + "batch_shape or input_shape)");
        }
        // A batch size fixed in the config (batch_size=1 for export) does not bind serving: batch stays dynamic.
        dims[0] = -1;
        return new TensorSpec(layer.name(), dataType(layer), dims);
    }

    private static DataType dataType(LayerSpec layer) throws ModelLoadException {
        JsonElement d = layer.config().get("dtype");
        String name = "float32";
        if (d != null && d.isJsonPrimitive()) {
            name = d.getAsString();
        } else if (d != null && d.isJsonObject() && d.getAsJsonObject().get("config") instanceof com.google.gson.JsonObject policy
                && policy.get("name") != null) {
            // Keras 3 may write a DTypePolicy object: {"class_name": "DTypePolicy", "config": {"name": "float32"}}.
            name = policy.get("name").getAsString();
        }
        return switch (name) {
            case "float32", "float16", "float64", "bfloat16" -> DataType.FP32;
            case "int32", "int16", "int8", "uint8" -> DataType.INT32;
            case "int64" -> DataType.INT64;
            default -> throw new ModelLoadException("InputLayer '" + layer.name() + "' has dtype '" + name
                    + "'; only float and integer inputs are supported");
        };
    }

    private String unique(String base) {
        String name = base;
        for (int i = 1; !usedScopes.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** TF op names: [A-Za-z0-9.][A-Za-z0-9_.\-]*, so Keras names with other characters are rewritten. */
    static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) && s.charAt(0) != '.' ? "l" + s : s;
    }
}
