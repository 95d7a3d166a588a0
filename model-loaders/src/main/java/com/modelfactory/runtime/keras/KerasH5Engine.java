package com.modelfactory.runtime.keras;

import com.google.gson.JsonObject;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.Engine;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.tensorflow.TfNatives;
import com.modelfactory.runtime.tensorflow.TfSessionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Keras H5 models without Python: the model_config and weights are read with jhdf, the model is
 * rebuilt as a TensorFlow graph (weights as constants) and served by a TF session like every other
 * TensorFlow model.
 */
public final class KerasH5Engine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(KerasH5Engine.class);
    /** Reported as "loader" in details(): what read the file before TensorFlow ran it. */
    static final String LOADER = "keras-h5 (jhdf)";

    /** The engine that computes: the rebuilt graph runs on TensorFlow ({@link #LOADER} says how it got there). */
    @Override
    public String name() {
        return "tensorflow";
    }

    @Override
    public String libraryClass() {
        return "org.tensorflow.TensorFlow";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.KERAS_H5);
    }

    /** What the files say: the parsed model, the Keras dialect that wrote it, the H5 holding the weights. */
    private record Parsed(KerasModelFiles files, KerasH5File h5, KerasDialect dialect, ModelSpec spec) {
    }

    @Override
    public LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException {
        if (options.device().kind() == Device.Kind.CUDA && !cudaBuild()) {
            throw new ModelLoadException("DEVICE=" + options.device() + " was requested but this TensorFlow build "
                    + "has no CUDA support (use DEVICE=auto or cpu to run on the CPU)");
        }
        TfNatives.prepare(options.environment().nativeRoot());
        Parsed parsed = parse(KerasModelFiles.of(options));
        Graph graph = new Graph();
        Session session = null;
        try {
            KerasGraph built = new KerasGraphBuilder(graph, parsed.dialect()).build(parsed.spec(), parsed.h5()::weightsOf);
            session = new Session(graph, sessionConfig(options));
            TfSessionModel model = sessionModel(built, session, graph, options, details(parsed));
            warmUp(model);
            log.info("Keras {} model {} rebuilt as a TensorFlow graph: {}", parsed.dialect().version(),
                    parsed.files().h5().getFileName(), model.signature());
            return model;
        } catch (ModelLoadException | RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            if (e instanceof ModelLoadException m) {
                throw m;
            }
            throw new ModelLoadException("the Keras model " + parsed.files().h5() + " could not be rebuilt in TensorFlow: "
                    + e.getMessage(), e);
        }
    }

    private static Parsed parse(KerasModelFiles files) throws ModelLoadException {
        KerasH5File h5 = KerasH5File.read(files.h5());
        JsonObject config = ModelConfigParser.parseJson(architectureJson(files, h5),
                files.architecture() != null ? "the architecture file " + files.architecture()
                        : "the model_config of " + files.h5());
        String version = h5.kerasVersion() != null ? h5.kerasVersion() : ModelConfigParser.string(config, "keras_version");
        KerasDialect dialect = KerasDialect.of(version);
        ModelSpec spec = new ModelConfigParser(dialect.major() == 1).parse(config);
        refuseTheanoKernels(h5, spec);
        return new Parsed(files, h5, dialect, spec);
    }

    /** The rebuilt graph's endpoints as a signature and the graph tensors behind it, served by one session. */
    private static TfSessionModel sessionModel(KerasGraph built, Session session, Graph graph, LoadOptions options,
                                               Map<String, Object> details) {
        List<TensorSpec> inputs = new ArrayList<>();
        List<TensorSpec> outputs = new ArrayList<>();
        Map<String, String> inputTensors = new HashMap<>();
        Map<String, String> outputTensors = new HashMap<>();
        for (KerasGraph.Endpoint e : built.inputs()) {
            inputs.add(e.spec());
            inputTensors.put(e.spec().name(), e.graphTensor());
        }
        for (KerasGraph.Endpoint e : built.outputs()) {
            outputs.add(e.spec());
            outputTensors.put(e.spec().name(), e.graphTensor());
        }
        String device = cudaBuild() && options.device().wantsCuda() ? "cuda:" + options.device().index() : "cpu";
        return new TfSessionModel(session, Signature.infer(inputs, outputs), inputTensors, outputTensors, device,
                details, List.of(session, graph));
    }

    private static Map<String, Object> details(Parsed p) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("loader", LOADER);
        details.put("keras_version", p.dialect().version());
        if (p.h5().backend() != null) {
            details.put("keras_backend", p.h5().backend());
        }
        details.put("h5_file", p.files().h5().getFileName().toString());
        if (p.files().architecture() != null) {
            details.put("architecture_file", p.files().architecture().getFileName().toString());
        }
        details.put("layers", p.spec().layers().size());
        return details;
    }

    /**
     * Keras stores Theano-trained convolution kernels flipped (convolution, not correlation) and only
     * flips them back inside Python's load_weights; such files would load here with wrong numbers.
     */
    private static void refuseTheanoKernels(KerasH5File h5, ModelSpec spec) throws ModelLoadException {
        if (!"theano".equals(h5.backend())) {
            return;
        }
        for (LayerSpec layer : spec.layers()) {
            if (layer.className().contains("Conv")) {
                throw new ModelLoadException("the Keras model " + h5.path().getFileName() + " was saved with the "
                        + "Theano backend; its convolution kernels (layer '" + layer.name() + "') are stored flipped "
                        + "for Theano and are not supported. Re-save it with the TensorFlow backend.");
            }
        }
    }

    private static String architectureJson(KerasModelFiles files, KerasH5File h5) throws ModelLoadException {
        if (files.architecture() == null) {
            return h5.modelConfig();
        }
        try {
            return Files.readString(files.architecture());
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + files.architecture() + ": " + e.getMessage(), e);
        }
    }

    private static ConfigProto sessionConfig(LoadOptions options) {
        ConfigProto.Builder b = ConfigProto.newBuilder()
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true).build());
        if (options.intraOpThreads() > 0) {
            b.setIntraOpParallelismThreads(options.intraOpThreads());
        }
        if (options.interOpThreads() > 0) {
            b.setInterOpParallelismThreads(options.interOpThreads());
        }
        return b.build();
    }

    /**
     * One batch of zeros through the graph: kernels are chosen on the first run, and a graph TF cannot
     * execute fails here, at start-up, instead of on the first request.
     */
    private static void warmUp(TfSessionModel model) throws ModelLoadException {
        Map<String, Tensor> zeros = new LinkedHashMap<>();
        for (TensorSpec in : model.signature().inputs()) {
            long[] shape = in.shape();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) {
                    if (i > 0) {
                        return; // a dynamic inner dimension: no shape to warm up with
                    }
                    shape[i] = 1;
                }
            }
            zeros.put(in.name(), Tensor.allocate(in.dataType(), shape));
        }
        try (var predictor = model.newPredictor()) {
            predictor.predict(zeros);
        } catch (RuntimeException e) {
            throw new ModelLoadException("the Keras model rebuilt in TensorFlow fails on a batch of zeros: "
                    + e.getMessage(), e);
        }
    }

    /** The GPU build of TF Java ships its natives under the linux-x86_64-gpu classifier folder. */
    private static boolean cudaBuild() {
        return KerasH5Engine.class.getClassLoader().getResource("org/tensorflow/internal/c_api/linux-x86_64-gpu/") != null;
    }
}
