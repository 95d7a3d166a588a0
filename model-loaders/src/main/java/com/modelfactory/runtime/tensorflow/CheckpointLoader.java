package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.format.CheckpointSteps;
import com.modelfactory.runtime.format.CheckpointSteps.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Session;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TString;

/**
 * A TF1 checkpoint folder (tf.train.Saver output, or a TF Serving session bundle with export.meta):
 * the graph comes from the newest step's .meta MetaGraphDef, the variables are restored from that
 * step by running the graph's own SaverDef restore op with the checkpoint prefix fed in. Inputs and
 * outputs come from the meta graph's SignatureDefs if it has any, else config, else the graph.
 */
final class CheckpointLoader {
    private static final Logger log = LoggerFactory.getLogger(CheckpointLoader.class);

    private CheckpointLoader() {
    }

    /** The variables to restore and the meta graph that describes them. */
    record Selected(Path prefix, long step, Path meta) {
    }

    static TfSessionModel load(LoadOptions options, TfDevices.Choice device) throws ModelLoadException {
        Selected sel = select(options);
        MetaGraphDef meta = readMeta(sel.meta());
        ImportedGraph.Opened g = ImportedGraph.open(meta.getGraphDef(), device.config(), sel.meta().toString());
        try {
            restore(g.session(), meta.getSaverDef(), sel.prefix());
            runTableInitializers(g.session(), meta);
            Endpoints chosen = endpoints(g, meta, sel, options);
            GraphBinding binding = chosen.binding();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("format", "tf_checkpoint");
            details.put("checkpoint", sel.prefix().toString());
            details.put("step", sel.step());
            details.put("meta_graph", sel.meta().getFileName().toString());
            if (meta.hasMetaInfoDef()) {
                details.put("meta_graph_version", meta.getMetaInfoDef().getMetaGraphVersion());
            }
            details.put("endpoints_from", chosen.source());
            details.put("input_tensors", binding.inputTensors());
            details.put("output_tensors", binding.outputTensors());
            log.info("TF1 checkpoint {} (step {}) on {}: {}", sel.prefix(), sel.step(), device.device(),
                    binding.signature());
            return new TfSessionModel(g.session(), binding.signature(), binding.inputTensors(),
                    binding.outputTensors(), device.device(), details, List.of(g));
        } catch (ModelLoadException | RuntimeException e) {
            g.close();
            throw e;
        }
    }

    /** The binding and where it came from (for GET /model). */
    record Endpoints(GraphBinding binding, String source) {
    }

    /**
     * Inputs and outputs, by precedence: the meta graph's SignatureDefs, a session bundle's
     * serving_signatures, the config, the graph's Placeholders and sinks. Config beats the model's own
     * signatures only when it names tensors, since that is an explicit choice.
     */
    static Endpoints endpoints(ImportedGraph.Opened g, MetaGraphDef meta, Selected sel, LoadOptions options)
            throws ModelLoadException {
        boolean configured = !options.declaredInputs().isEmpty() || !options.declaredOutputs().isEmpty();
        Map<String, SignatureDef> defs = meta.getSignatureDefMap();
        if (!defs.isEmpty() && !configured) {
            String key = options.signatureKey() != null ? options.signatureKey()
                    : defs.containsKey(SavedModelLoader.DEFAULT_SIGNATURE) ? SavedModelLoader.DEFAULT_SIGNATURE
                    : defs.keySet().stream().sorted().findFirst().orElseThrow();
            SignatureDef def = defs.get(key);
            if (def == null) {
                throw new ModelLoadException("the meta graph " + sel.meta() + " has no signature '" + key
                        + "'; it has " + defs.keySet());
            }
            return new Endpoints(GraphBinding.of(key, def, List.of(), List.of()), "signature_def:" + key);
        }
        boolean sessionBundle = sel.meta().getFileName().toString().equals("export.meta");
        if (sessionBundle && !configured) {
            Optional<SessionBundleSignatures.Endpoints> sb;
            try {
                sb = SessionBundleSignatures.read(meta);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                sb = Optional.empty();
            }
            if (sb.isEmpty()) {
                // TF Serving refuses such an export too ("Expected exactly one signatures proto").
                throw new ModelLoadException(sel.meta() + " is a TF Serving session bundle without a usable '"
                        + SessionBundleSignatures.COLLECTION + "' collection, so it does not say which tensors"
                        + " are the model's inputs and outputs; re-export it as a SavedModel, or name them with"
                        + " the 'inputs'/'outputs' config keys");
            }
            return new Endpoints(GraphEndpoints.bindNamed(g.graph(), sb.get().inputs(), sb.get().outputs()),
                    SessionBundleSignatures.COLLECTION);
        }
        GraphBinding b = GraphEndpoints.bind(g.graph(), options.declaredInputs(), options.declaredOutputs());
        return new Endpoints(b, configured ? "config" : "graph");
    }

    /**
     * In the checkpoint folder detection chose (version folders are its business): the newest step by
     * file name (the "checkpoint" state file is not trusted: it often holds absolute paths of the training
     * machine). When that step has no .meta of its own, the newest .meta beside it describes the graph
     * (Savers may write the meta graph only once).
     */
    static Selected select(LoadOptions options) throws ModelLoadException {
        Path dir = options.modelFolder("TF1 checkpoint folder");
        try {
            List<Path> metas = metaFiles(dir);
            List<Checkpoint> steps = new ArrayList<>(CheckpointSteps.list(dir));
            if (steps.isEmpty()) {
                // TF1's V1 format: the prefix itself is the data file (no .index); TF still restores it.
                for (Path m : metas) {
                    Path prefix = prefixOf(m);
                    if (Files.isRegularFile(prefix)) {
                        steps.add(new Checkpoint(prefix, -1));
                    }
                }
            }
            if (steps.isEmpty()) {
                throw new ModelLoadException("no TF1 checkpoint variables in " + dir + " (expected <prefix>.index"
                        + " and <prefix>.data-* files" + (metas.isEmpty() ? "" : " beside " + names(metas)) + ")");
            }
            Checkpoint newest = steps.get(steps.size() - 1);
            if (newest.hasMeta()) {
                return new Selected(newest.prefix(), newest.step(), newest.meta());
            }
            if (metas.isEmpty()) {
                throw new ModelLoadException("the TF1 checkpoint " + newest.prefix() + " has no .meta file: a"
                        + " checkpoint holds only variable values, and a graph is needed to serve it. Ship the"
                        + " .meta MetaGraphDef that tf.train.Saver writes next to it, or export a SavedModel");
            }
            Path meta = metas.stream().max(Comparator.comparingLong(m -> stepOf(m))).orElseThrow();
            log.info("checkpoint step {} has no .meta; using the graph in {}", newest.step(), meta.getFileName());
            return new Selected(newest.prefix(), newest.step(), meta);
        } catch (IOException e) {
            throw new ModelLoadException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> metaFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".meta")).sorted().toList();
        }
    }

    private static Path prefixOf(Path meta) {
        String n = meta.getFileName().toString();
        return meta.resolveSibling(n.substring(0, n.length() - ".meta".length()));
    }

    private static long stepOf(Path meta) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(\\d+)$").matcher(prefixOf(meta).getFileName().toString());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList();
    }

    static MetaGraphDef readMeta(Path file) throws ModelLoadException {
        try {
            return MetaGraphDef.parseFrom(Files.readAllBytes(file));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new ModelLoadException(file + " is not a TensorFlow MetaGraphDef (truncated or another format?): "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Runs the meta graph's own restore op with the prefix fed as the filename tensor. */
    static void restore(Session session, SaverDef saver, Path prefix) throws ModelLoadException {
        String target = prefix.toAbsolutePath().toString();
        try {
            if (saver.getRestoreOpName().isEmpty()) {
                // No saver in the meta graph: TF Java builds one over the graph's variables.
                session.restore(target);
                return;
            }
            try (TString name = TString.scalarOf(target)) {
                session.runner().feed(saver.getFilenameTensorName(), name).addTarget(saver.getRestoreOpName()).run()
                        .close();
            }
        } catch (RuntimeException e) {
            throw new ModelLoadException("restoring the variables of checkpoint " + target + " failed: "
                    + TfErrors.message(e), e);
        }
    }

    /** Lookup tables of TF1 graphs are filled by the ops in the "table_initializer" collection. */
    private static void runTableInitializers(Session session, MetaGraphDef meta) throws ModelLoadException {
        CollectionDef c = meta.getCollectionDefMap().get("table_initializer");
        if (c == null || !c.hasNodeList() || c.getNodeList().getValueCount() == 0) {
            return;
        }
        try {
            Session.Runner r = session.runner();
            c.getNodeList().getValueList().forEach(n -> r.addTarget(n.contains(":") ? n.substring(0, n.indexOf(':')) : n));
            r.run().close();
        } catch (RuntimeException e) {
            throw new ModelLoadException("initialising the lookup tables of the checkpoint failed: "
                    + TfErrors.message(e), e);
        }
    }
}
