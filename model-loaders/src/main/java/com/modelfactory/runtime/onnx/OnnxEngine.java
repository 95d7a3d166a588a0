package com.modelfactory.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Device;
import com.modelfactory.runtime.engine.Engine;
import com.modelfactory.runtime.engine.EngineEnvironment;
import com.modelfactory.runtime.engine.GpuProbe;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.TypeTable;
import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ONNX Runtime behind the engine seam: CUDA execution provider when asked for and usable, else CPU. */
public final class OnnxEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(OnnxEngine.class);
    /** ONNX Runtime's Java element types; string tensors are BYTES (UTF-8 elements). */
    static final TypeTable<OnnxJavaType> TYPES = TypeTable.<OnnxJavaType>builder("ONNX Runtime")
            .map(DataType.FP32, OnnxJavaType.FLOAT).map(DataType.FP64, OnnxJavaType.DOUBLE)
            .map(DataType.FP16, OnnxJavaType.FLOAT16).map(DataType.BF16, OnnxJavaType.BFLOAT16)
            .map(DataType.INT8, OnnxJavaType.INT8).map(DataType.UINT8, OnnxJavaType.UINT8)
            .map(DataType.INT16, OnnxJavaType.INT16).map(DataType.INT32, OnnxJavaType.INT32)
            .map(DataType.INT64, OnnxJavaType.INT64).map(DataType.BOOL, OnnxJavaType.BOOL)
            .map(DataType.BYTES, OnnxJavaType.STRING)
            .build();

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public String libraryClass() {
        return "ai.onnxruntime.OrtEnvironment";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.ONNX);
    }

    @Override
    public void prepareNatives(Device device, Path nativeCacheDir) throws ModelLoadException {
        OnnxNatives.prepare(new EngineEnvironment(nativeCacheDir, null, null).nativeRoot(), device.wantsCuda());
        try {
            OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "model-runtime");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new ModelLoadException("ONNX Runtime native libraries do not load: " + e.getMessage(), e);
        }
    }

    @Override
    public LoadedModel load(ModelFormat format, LoadOptions options) throws ModelLoadException {
        Path file = options.modelFile("ONNX model");
        Device device = options.device();
        boolean tryCuda = GpuProbe.shouldTryCuda(device, options.environment());
        OnnxNatives.prepare(options.environment().nativeRoot(), tryCuda);
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "model-runtime");
        try {
            env.setTelemetry(false);
        } catch (OrtException e) {
            log.debug("could not switch ONNX Runtime telemetry off: {}", e.getMessage());
        }
        try {
            OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.intraOpThreads() > 0) {
                opts.setIntraOpNumThreads(options.intraOpThreads());
            }
            if (options.interOpThreads() > 0) {
                opts.setInterOpNumThreads(options.interOpThreads());
            }
            SessionSettings.apply(opts, SessionSettings.withDefaults(options.engineOptions(), options.intraOpThreads()));
            // ONNX Runtime's own warnings go to the process's stderr, not through our log: one line per initializer
            // listed as an input (488 for a face detector). They show at LOG_LEVEL=debug; otherwise the model's
            // notable facts are said once below, in our log.
            opts.setSessionLogLevel(log.isDebugEnabled() ? OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING
                    : OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            boolean zipMapTensor = SessionSettings.zipMapTensor(options.engineOptions()); // checked before a session exists
            String deviceName = tryCuda ? chooseDevice(opts, device) : "cpu";
            OrtSession session = env.createSession(file.toString(), opts);
            try {
                byte[] proto = ProtoFields.readSmall(file); // one read for the looks below
                Map<String, List<String>> zipMaps = zipMapOutputs(session) ? ZipMapLabels.of(proto) : Map.of();
                if (zipMapTensor) {
                    session = withoutZipMaps(env, session, opts, file, proto, zipMaps);
                }
                Signature signature = signatureOf(session, zipMaps);
                log.info("ONNX model {} loaded on {}: {}", file.getFileName(), deviceName, signature);
                int listed = GraphInputs.initializersListedAsInputs(proto);
                if (listed > 0) {
                    log.info("{}: {} initializer(s) are also listed as graph inputs (an old exporter's habit): served as "
                            + "weights, not asked of clients; ONNX Runtime's warning for each shows at LOG_LEVEL=debug",
                            file.getFileName(), listed);
                }
                return new OnnxLoadedModel(env, session, opts, signature, deviceName, OnnxTabular.of(session, signature,
                        zipMaps));
            } catch (OrtException | RuntimeException e) {
                session.close(); // a failure after the session exists must not keep its native memory
                opts.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new ModelLoadException("ONNX Runtime could not load " + file + ": " + e.getMessage(), e);
        }
    }

    private static String chooseDevice(OrtSession.SessionOptions opts, Device device) throws ModelLoadException {
        try {
            opts.addCUDA(device.index());
            return "cuda:" + device.index();
        } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
            if (device.kind() == Device.Kind.CUDA) {
                throw new ModelLoadException("DEVICE=" + device + " was requested but ONNX Runtime cannot use CUDA here: "
                        + e.getMessage() + " (use DEVICE=auto or cpu to run on the CPU)", e);
            }
            log.info("no usable CUDA device for ONNX Runtime ({}); running on the CPU", Messages.firstLine(e));
            return "cpu";
        }
    }

    /**
     * The session of the model rewritten without its output ZipMaps ({@link ZipMapRewrite}), or the session as
     * it was when there is nothing to rewrite or the rewritten model does not load (then the maps are read).
     */
    private static OrtSession withoutZipMaps(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions opts,
                                             Path file, byte[] proto, Map<String, List<String>> zipMaps)
            throws OrtException {
        if (zipMaps.isEmpty() || proto == null) {
            return session;
        }
        try {
            byte[] rewritten = ZipMapRewrite.rewrite(proto, zipMaps);
            if (rewritten == null) {
                return session;
            }
            OrtSession plain = env.createSession(rewritten, opts);
            session.close();
            log.debug("{}: ZipMap outputs {} served from their probability tensors", file.getFileName(), zipMaps.keySet());
            return plain;
        } catch (OrtException | RuntimeException e) {
            log.info("{}: ZipMap outputs read map by map ({})", file.getFileName(), Messages.firstLine(e));
            return session;
        }
    }

    /** Whether an output is a sequence of maps (an ONNX-ML classifier's ZipMap). */
    private static boolean zipMapOutputs(OrtSession session) throws OrtException {
        for (NodeInfo n : session.getOutputInfo().values()) {
            if (n.getInfo() instanceof SequenceInfo si && si.isSequenceOfMaps()) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param zipMaps the class labels of each ZipMap output (see {@link ZipMapLabels}): such an output is served
     *                as an FP32 [N, classes] tensor, columns in label order
     */
    static Signature signatureOf(OrtSession session, Map<String, List<String>> zipMaps) throws OrtException {
        // ORT leaves initializers that old exporters also listed as graph inputs out of getInputInfo().
        List<TensorSpec> inputs = specs(session.getInputInfo(), zipMaps);
        List<TensorSpec> outputs = specs(session.getOutputInfo(), zipMaps);
        return Signature.infer(inputs, outputs);
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos, Map<String, List<String>> zipMaps)
            throws OrtException {
        List<TensorSpec> out = new ArrayList<>();
        for (NodeInfo n : infos.values()) {
            if (n.getInfo() instanceof TensorInfo ti) {
                out.add(new TensorSpec(n.getName(), dataType(ti.type), ti.getShape()));
            } else if (n.getInfo() instanceof SequenceInfo si && si.isSequenceOfMaps()
                    && si.mapInfo.valueType == OnnxJavaType.FLOAT) {
                List<String> labels = zipMaps.get(n.getName());
                out.add(new TensorSpec(n.getName(), DataType.FP32, new long[]{-1, labels == null ? -1 : labels.size()}));
            } else {
                throw new OrtException("input/output '" + n.getName() + "' is not a tensor (" + n.getInfo()
                        + "); only tensor inputs and outputs are served");
            }
        }
        return out;
    }

    static DataType dataType(OnnxJavaType t) throws OrtException {
        return TYPES.dataType(t).orElseThrow(() -> new OrtException("ONNX element type " + t + " is not supported"));
    }
}
