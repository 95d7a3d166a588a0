package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.InferenceException;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * A TensorFlow graph and session behind the engine seam: every format (SavedModel, frozen graph,
 * checkpoint, Keras H5 rebuilt as a graph) ends up as one of these. The signature names the model's
 * inputs and outputs; {@code inputTensors}/{@code outputTensors} map each name to the graph tensor
 * ("op:0") that is fed or fetched.
 *
 * <p>A TF session is thread-safe, so all predictors share it. Each call creates its input tensors
 * and receives its output tensors inside try-with-resources, so native memory is released at the
 * end of every call instead of waiting for the garbage collector.
 */
public final class TfSessionModel implements LoadedModel {
    private static final Logger log = LoggerFactory.getLogger(TfSessionModel.class);

    private final Session session;
    private final Signature signature;
    private final Map<String, String> inputTensors;
    private final Map<String, String> outputTensors;
    private final String device;
    private final Map<String, Object> details;
    private final List<AutoCloseable> owned;

    /**
     * @param graph         the graph; owned, closed with the model (after the session)
     * @param session       a session on {@code graph}; owned, closed with the model
     * @param signature     what the model takes and returns (names are the names clients use)
     * @param inputTensors  signature input name -> graph tensor name ("op:0" or "op")
     * @param outputTensors signature output name -> graph tensor name
     */
    public TfSessionModel(Graph graph, Session session, Signature signature,
                          Map<String, String> inputTensors, Map<String, String> outputTensors) {
        this(session, signature, inputTensors, outputTensors, "cpu", Map.of(), List.of(session, graph));
    }

    /**
     * The general form: {@code owned} are closed in order on {@link #close()} (e.g. a SavedModelBundle,
     * or the session then the graph); {@code device} and {@code details} are reported as they are.
     */
    public TfSessionModel(Session session, Signature signature, Map<String, String> inputTensors,
                          Map<String, String> outputTensors, String device, Map<String, Object> details,
                          List<? extends AutoCloseable> owned) {
        this.session = session;
        this.signature = signature;
        this.inputTensors = Map.copyOf(inputTensors);
        this.outputTensors = Map.copyOf(outputTensors);
        this.device = device;
        this.details = new LinkedHashMap<>(details);
        this.owned = List.copyOf(owned);
        for (TensorSpec in : signature.inputs()) {
            if (!this.inputTensors.containsKey(in.name())) {
                throw new IllegalArgumentException("no graph tensor given for input '" + in.name() + "'");
            }
        }
        for (TensorSpec out : signature.outputs()) {
            if (!this.outputTensors.containsKey(out.name())) {
                throw new IllegalArgumentException("no graph tensor given for output '" + out.name() + "'");
            }
        }
    }

    @Override
    public Signature signature() {
        return signature;
    }

    @Override
    public String engine() {
        return "tensorflow";
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("tensorflow_version", TfVersion.get());
        d.putAll(details);
        return d;
    }

    /** Graph tensor fed for each signature input (for tests and diagnostics). */
    public Map<String, String> inputTensors() {
        return inputTensors;
    }

    /** Graph tensor fetched for each signature output. */
    public Map<String, String> outputTensors() {
        return outputTensors;
    }

    @Override
    public Predictor newPredictor() {
        return Predictor.sharedSession(this::run);
    }

    private Map<String, Tensor> run(Map<String, Tensor> inputs) {
        List<org.tensorflow.Tensor> feeds = new ArrayList<>(inputs.size());
        try {
            Session.Runner runner = session.runner();
            for (TensorSpec spec : signature.inputs()) {
                org.tensorflow.Tensor t;
                try {
                    t = TfTensors.toTf(inputs.get(spec.name()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("input '" + spec.name() + "': " + e.getMessage());
                }
                feeds.add(t);
                runner.feed(inputTensors.get(spec.name()), t);
            }
            for (TensorSpec spec : signature.outputs()) {
                runner.fetch(outputTensors.get(spec.name()));
            }
            try (Result result = runner.run()) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                int i = 0;
                for (TensorSpec spec : signature.outputs()) {
                    out.put(spec.name(), TfTensors.fromTf(result.get(i++)));
                }
                return out;
            }
        } catch (TensorFlowException | IllegalArgumentException | IllegalStateException e) {
            // TF reports shape mismatches deep inside the graph as InvalidArgument; name them for the client.
            if (e instanceof org.tensorflow.exceptions.TFInvalidArgumentException) {
                throw new InvalidInputException("TensorFlow rejected the input: " + Messages.firstLine(e));
            }
            throw new InferenceException("TensorFlow failed: " + Messages.firstLine(e), e);
        } finally {
            feeds.forEach(org.tensorflow.Tensor::close);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
