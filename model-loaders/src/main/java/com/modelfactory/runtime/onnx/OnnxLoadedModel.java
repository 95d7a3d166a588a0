package com.modelfactory.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.modelfactory.runtime.engine.InferenceException;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxSequence;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.InputValidation;
import com.modelfactory.runtime.engine.TabularSchema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** An ORT session. Sessions are thread-safe, so every predictor shares the one session. */
final class OnnxLoadedModel implements LoadedModel {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final Signature signature;
    private final String device;
    private final Optional<TabularSchema> tabular;

    OnnxLoadedModel(OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options,
                    Signature signature, String device, Optional<TabularSchema> tabular) {
        this.env = env;
        this.session = session;
        this.options = options;
        this.signature = signature;
        this.device = device;
        this.tabular = tabular;
    }

    @Override
    public Optional<TabularSchema> tabular() {
        return tabular;
    }

    @Override
    public Map<String, InputValidation.Rule> inputRules() {
        if (tabular.isEmpty()) {
            return Map.of();
        }
        Map<String, InputValidation.Rule> rules = new HashMap<>();
        for (TensorSpec in : signature.inputs()) {
            rules.put(in.name(), InputValidation.Rule.COLUMN);
        }
        return rules;
    }

    @Override
    public Signature signature() {
        return signature;
    }

    @Override
    public String engine() {
        return "onnxruntime";
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("onnxruntime_version", env.getVersion());
        try {
            var meta = session.getMetadata();
            d.put("producer", meta.getProducerName());
            d.put("graph_name", meta.getGraphName());
        } catch (OrtException ignored) {
            // metadata is informational only
        }
        return d;
    }

    @Override
    public Map<String, String> metadata() {
        try {
            return Map.copyOf(session.getMetadata().getCustomMetadata());
        } catch (OrtException e) {
            return Map.of();
        }
    }

    @Override
    public Predictor newPredictor() {
        return Predictor.sharedSession(this::run);
    }

    private Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                Tensor t = e.getValue();
                if (t.dataType() == DataType.BYTES) {
                    feeds.put(e.getKey(), OnnxTensor.createTensor(env, strings(t), t.shape()));
                    continue;
                }
                ByteBuffer data = t.data();
                if (!data.isDirect()) {
                    ByteBuffer copy = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                    copy.put(data).flip();
                    data = copy;
                }
                feeds.put(e.getKey(), OnnxTensor.createTensor(env, data, t.shape(),
                        OnnxEngine.TYPES.forInput(e.getKey(), t.dataType())));
            }
            try (OrtSession.Result result = session.run(feeds)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (TensorSpec spec : signature.outputs()) {
                    OnnxValue v = result.get(spec.name()).orElseThrow();
                    out.put(spec.name(), v instanceof OnnxSequence seq ? OnnxValues.probabilities(seq, spec, labels(spec.name()))
                            : toTensor((OnnxTensor) v));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    /** A ZipMap output's labels, in the node's order (empty when unknown: keys are then sorted). */
    private List<String> labels(String output) {
        return tabular.flatMap(t -> t.outputs().stream().filter(o -> o.name().equals(output)).findFirst())
                .map(TabularSchema.OutputField::labels).orElse(List.of());
    }

    private static String[] strings(Tensor t) {
        int n = Math.toIntExact(t.elementCount());
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = StandardCharsets.UTF_8.decode(t.bytesElement(i)).toString();
        }
        return out;
    }

    private static Tensor toTensor(OnnxTensor v) throws OrtException {
        var info = v.getInfo();
        if (info.type == OnnxJavaType.STRING) {
            return OnnxValues.strings(v);
        }
        ByteBuffer bytes = v.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return new Tensor(OnnxEngine.dataType(info.type), info.getShape(), bytes);
    }

    @Override
    public void close() {
        try {
            session.close();
            options.close();
        } catch (OrtException e) {
            throw new InferenceException("closing the ONNX session failed", e);
        }
    }
}
