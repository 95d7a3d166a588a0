package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;

/**
 * Finds a graph's inputs and outputs when no SignatureDef says what they are (frozen GraphDefs, most
 * TF1 checkpoints): the tensors named in config, else the Placeholder ops as inputs and the "sinks"
 * (computed tensors nothing else consumes, that depend on an input) as outputs. Inputs are then
 * narrowed to the placeholders the outputs actually depend on, so unused placeholders (labels in a
 * training graph, dropout switches with no path to the output) are not demanded from clients.
 */
final class GraphEndpoints {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GraphEndpoints.class);
    /** Op types that never are a model output even when nothing consumes them. */
    private static final Set<String> NOT_OUTPUTS = Set.of(
            "NoOp", "Const", "Placeholder", "PlaceholderWithDefault", "Assert", "Print", "PrintV2",
            "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice", "MergeV2Checkpoints",
            "ShardedFilename", "StringJoin", "Variable", "VariableV2", "VarHandleOp", "VarIsInitializedOp",
            "IsVariableInitialized", "ReadVariableOp", "Assign", "AssignAdd", "AssignSub", "AssignVariableOp",
            "ScalarSummary", "HistogramSummary", "MergeSummary", "TensorSummary", "TensorSummaryV2");

    private GraphEndpoints() {
    }

    static GraphBinding bind(Graph graph, List<TensorSpec> declaredInputs, List<TensorSpec> declaredOutputs)
            throws ModelLoadException {
        Endpoints outputs = declaredOutputs.isEmpty() ? sinkOutputs(graph) : declared(graph, declaredOutputs, "output");
        Endpoints inputs;
        if (!declaredInputs.isEmpty()) {
            inputs = declared(graph, declaredInputs, "input");
        } else {
            inputs = new Endpoints();
            for (GraphOperation p : placeholdersFeeding(outputs.tensors)) {
                inputs.add(displayName(p.output(0)), p.output(0), null);
            }
        }
        return new GraphBinding(Signature.infer(inputs.specs, outputs.specs), inputs.names, outputs.names);
    }

    /** Specs, served name -> graph tensor, and the graph tensors, in the same order. */
    private static final class Endpoints {
        final List<TensorSpec> specs = new ArrayList<>();
        final Map<String, String> names = new LinkedHashMap<>();
        final List<Output<?>> tensors = new ArrayList<>();

        void add(String name, Output<?> o, TensorSpec declared) throws ModelLoadException {
            specs.add(specOf(name, o, declared));
            names.put(name, tensorName(o));
            tensors.add(o);
        }
    }

    /** The tensors config names ("op:0" or "op"), served under the names as written. */
    private static Endpoints declared(Graph graph, List<TensorSpec> declared, String role) throws ModelLoadException {
        Endpoints e = new Endpoints();
        for (TensorSpec d : declared) {
            e.add(d.name(), tensor(graph, d.name(), role), d);
        }
        return e;
    }

    /** The graph's sinks as outputs: what a frozen graph or training checkpoint computes last. */
    private static Endpoints sinkOutputs(Graph graph) throws ModelLoadException {
        List<GraphOperation> ops = new ArrayList<>();
        for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
            ops.add(it.next());
        }
        Endpoints e = new Endpoints();
        for (Output<?> o : sinks(ops)) {
            e.add(displayName(o), o, null);
        }
        if (e.specs.isEmpty()) {
            throw new ModelLoadException("the graph has no output that depends on a Placeholder input;"
                    + " name the output tensors with the 'outputs' config key (e.g. outputs: [\"logits:0\"])");
        }
        if (hasTrainingOps(graph)) {
            log.warn("the graph still holds its training ops, so the guessed outputs {} may be the loss;"
                    + " name the model's inputs and outputs with the 'inputs'/'outputs' config keys", e.names.values());
        }
        return e;
    }

    /** Binds named inputs and outputs (name -> "op:0") given by the model's own metadata. */
    static GraphBinding bindNamed(Graph graph, Map<String, String> inputs, Map<String, String> outputs)
            throws ModelLoadException {
        List<TensorSpec> in = new ArrayList<>();
        List<TensorSpec> out = new ArrayList<>();
        Map<String, String> inMap = new LinkedHashMap<>();
        Map<String, String> outMap = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : inputs.entrySet()) {
            Output<?> o = tensor(graph, e.getValue(), "input");
            in.add(specOf(e.getKey(), o, null));
            inMap.put(e.getKey(), tensorName(o));
        }
        for (Map.Entry<String, String> e : outputs.entrySet()) {
            Output<?> o = tensor(graph, e.getValue(), "output");
            out.add(specOf(e.getKey(), o, null));
            outMap.put(e.getKey(), tensorName(o));
        }
        return new GraphBinding(Signature.infer(in, out), inMap, outMap);
    }

    /** Unconsumed computed tensors that depend on some Placeholder, sorted by name. */
    static List<Output<?>> sinks(List<GraphOperation> ops) {
        Set<GraphOperation> fromInputs = new HashSet<>();
        Deque<GraphOperation> work = new ArrayDeque<>();
        for (GraphOperation op : ops) {
            if (op.type().equals("Placeholder")) {
                fromInputs.add(op);
                work.add(op);
            }
        }
        while (!work.isEmpty()) {
            GraphOperation op = work.poll();
            for (GraphOperation c : op.consumers()) {
                if (fromInputs.add(c)) {
                    work.add(c);
                }
            }
        }
        List<Output<?>> sinks = new ArrayList<>();
        for (GraphOperation op : ops) {
            if (!fromInputs.contains(op) || bookkeeping(op)) {
                continue;
            }
            for (int i = 0; i < op.numOutputs(); i++) {
                Output<?> o = op.output(i);
                if (TfTensors.dataTypeOrNull(o.dataType()) != null
                        && op.consumers(i).stream().allMatch(GraphEndpoints::bookkeeping)) {
                    sinks.add(o);
                }
            }
        }
        sinks.sort(Comparator.comparing(GraphEndpoints::tensorName));
        return sinks;
    }

    /**
     * Ops that save, restore, initialise, train or summarise: they consume model tensors without being
     * part of what the model computes, so a tensor only they consume still counts as an output.
     */
    static boolean bookkeeping(GraphOperation op) {
        String t = op.type();
        return NOT_OUTPUTS.contains(t) || t.startsWith("Apply") || t.startsWith("ResourceApply")
                || t.startsWith("Assign") || t.endsWith("Summary")
                || op.name().startsWith("gradients/") || op.name().startsWith("save/");
    }

    /** True when the graph still holds its training ops (optimizer updates): guessed outputs may be losses. */
    static boolean hasTrainingOps(Graph graph) {
        for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
            String t = it.next().type();
            if (t.startsWith("Apply") || t.startsWith("ResourceApply")) {
                return true;
            }
        }
        return false;
    }

    /** The Placeholder ops the given tensors depend on, sorted by name. */
    static List<GraphOperation> placeholdersFeeding(List<Output<?>> outputs) {
        Set<GraphOperation> seen = new HashSet<>();
        Deque<GraphOperation> work = new ArrayDeque<>();
        for (Output<?> o : outputs) {
            GraphOperation op = (GraphOperation) o.op();
            if (seen.add(op)) {
                work.add(op);
            }
        }
        List<GraphOperation> found = new ArrayList<>();
        while (!work.isEmpty()) {
            GraphOperation op = work.poll();
            if (op.type().equals("Placeholder")) {
                found.add(op);
            }
            for (int i = 0; i < op.numInputs(); i++) {
                GraphOperation in = (GraphOperation) op.input(i).op();
                if (seen.add(in)) {
                    work.add(in);
                }
            }
            for (GraphOperation in : op.controlInputs()) {
                if (seen.add(in)) {
                    work.add(in);
                }
            }
        }
        found.sort(Comparator.comparing(GraphOperation::name));
        return found;
    }

    /** "op:0" or "op" (meaning output 0) to the graph tensor, failing with a clear message. */
    static Output<?> tensor(Graph graph, String name, String role) throws ModelLoadException {
        String full = TensorNames.withIndex(name);
        int colon = full.lastIndexOf(':');
        String opName = full.substring(0, colon);
        int index = Integer.parseInt(full.substring(colon + 1));
        GraphOperation op = graph.operation(opName);
        if (op == null) {
            throw new ModelLoadException(role + " '" + name + "' is not a tensor of the graph"
                    + " (no operation named '" + opName + "')");
        }
        if (index >= op.numOutputs()) {
            throw new ModelLoadException(role + " '" + name + "': operation '" + opName
                    + "' has only " + op.numOutputs() + " outputs");
        }
        return op.output(index);
    }

    static String tensorName(Output<?> o) {
        return o.op().name() + ":" + o.index();
    }

    /**
     * Graph-derived inputs and outputs are named by their tensor names ("input:0"), the names TF1
     * code feeds and fetches and the ones vendors' clients already use.
     */
    private static String displayName(Output<?> o) {
        return tensorName(o);
    }

    private static TensorSpec specOf(String name, Output<?> o, TensorSpec declared) throws ModelLoadException {
        DataType graphType = TfTensors.dataTypeOrNull(o.dataType());
        // The graph's own dtype wins: feeding anything else would fail inside TF.
        DataType t = graphType != null ? graphType : declared != null ? declared.dataType() : null;
        if (t == null) {
            throw new ModelLoadException("tensor '" + tensorName(o) + "' has dtype " + o.dataType()
                    + ", which the runtime does not serve (numeric and bool tensors only)");
        }
        long[] shape = declared != null && declared.shapeKnown() ? declared.shape() : graphShape(o);
        return new TensorSpec(name, t, shape);
    }

    private static long[] graphShape(Output<?> o) {
        try {
            return TfTensors.shapeOf(o.shape());
        } catch (RuntimeException e) {
            return null; // shape inference had nothing for this tensor
        }
    }
}
