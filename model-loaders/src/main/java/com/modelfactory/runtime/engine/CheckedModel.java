package com.modelfactory.runtime.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seam's wrapper around the model an engine loaded (see {@link Engines#load}): what every engine
 * would otherwise do for itself. Each batch is checked against the signature before the engine sees it,
 * the result holds exactly the signature's outputs in signature order, an engine failure that is neither
 * the client's fault nor already an {@link InferenceException} becomes one, and one engine name is reported.
 */
final class CheckedModel implements LoadedModel {
    private final String engine;
    private final LoadedModel model;
    private final Signature signature;
    private final Map<String, InputValidation.Rule> rules;

    CheckedModel(String engine, LoadedModel model) {
        this.engine = engine;
        this.model = model;
        this.signature = model.signature();
        this.rules = Map.copyOf(model.inputRules());
    }

    @Override
    public Signature signature() {
        return signature;
    }

    @Override
    public String engine() {
        return engine;
    }

    @Override
    public String device() {
        return model.device();
    }

    @Override
    public Map<String, Object> details() {
        return model.details();
    }

    @Override
    public Map<String, String> metadata() {
        return model.metadata();
    }

    @Override
    public java.util.Optional<TabularSchema> tabular() {
        return model.tabular();
    }

    @Override
    public Map<String, InputValidation.Rule> inputRules() {
        return rules;
    }

    @Override
    public Predictor newPredictor() {
        return new CheckedPredictor(model.newPredictor());
    }

    @Override
    public void close() {
        model.close();
    }

    private final class CheckedPredictor implements Predictor {
        private final Predictor predictor;

        CheckedPredictor(Predictor predictor) {
            this.predictor = predictor;
        }

        @Override
        public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
            InputValidation.check(signature, rules, inputs);
            Map<String, Tensor> produced;
            try {
                produced = predictor.predict(inputs);
            } catch (InvalidInputException | InferenceException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new InferenceException(engine + " failed: " + Messages.firstLine(e), e);
            }
            return inSignatureOrder(produced);
        }

        @Override
        public void close() {
            predictor.close();
        }
    }

    /**
     * The signature's outputs, in its order. A model whose outputs are only named when it runs (a
     * TorchScript dict without declared outputs) has none in its signature: then all it returned.
     */
    private Map<String, Tensor> inSignatureOrder(Map<String, Tensor> produced) {
        if (signature.outputs().isEmpty()) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(produced));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : signature.outputs()) {
            Tensor t = produced.get(spec.name());
            if (t == null) {
                throw new InferenceException(engine + " returned " + produced.keySet() + " but not '"
                        + spec.name() + "', which the model's signature names", null);
            }
            out.put(spec.name(), t);
        }
        return Collections.unmodifiableMap(out);
    }
}
