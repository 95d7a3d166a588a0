package com.modelfactory.runtime.pmml;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.InferenceException;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pmml4s.metadata.Field;
import org.pmml4s.metadata.InvalidValueTreatment$;
import org.pmml4s.metadata.MiningField;
import org.pmml4s.model.Model;

/**
 * Evaluates a batch record by record on this worker's own PMML4S model. A missing value is NaN in a number
 * column and an empty string in a text column; the model's declared missing-value treatment applies to it.
 * A value the model declares invalid where it says {@code invalidValueTreatment="returnInvalid"} is the
 * client's error (400 naming field and value): PMML4S 0.9 evaluates such records as if valid.
 */
final class PmmlPredictor implements Predictor {
    private final Model model;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final Map<String, Field> fields = new HashMap<>();
    /** Fields whose invalid values must be refused. */
    private final Map<String, Field> returnInvalid = new HashMap<>();

    PmmlPredictor(Model model, PmmlFields pmml) {
        this.model = model;
        this.inputs = pmml.signature().inputs();
        this.outputs = pmml.signature().outputs();
        for (Field f : model.inputFields()) {
            fields.put(f.name(), f);
        }
        for (MiningField m : model.miningSchema().inputMiningFields()) {
            if (m.invalidValueTreatment() == InvalidValueTreatment$.MODULE$.returnInvalid() && fields.containsKey(m.name())) {
                returnInvalid.put(m.name(), fields.get(m.name()));
            }
        }
    }

    @Override
    public Map<String, Tensor> predict(Map<String, Tensor> batch) {
        int n = (int) batch.get(inputs.get(0).name()).shape()[0];
        List<Map<String, Object>> answers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Object> record = record(batch, i);
            try {
                answers.add(model.predict(record));
            } catch (RuntimeException e) {
                throw new InferenceException("PMML4S failed on record " + i + ": " + e, e);
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : outputs) {
            out.put(spec.name(), column(spec, answers));
        }
        return out;
    }

    private Map<String, Object> record(Map<String, Tensor> batch, int row) {
        Map<String, Object> record = new HashMap<>();
        for (TensorSpec spec : inputs) {
            Tensor column = batch.get(spec.name());
            Object value;
            if (column.dataType() == DataType.BYTES) {
                var b = column.bytesElement(row);
                byte[] text = new byte[b.remaining()];
                b.get(text);
                value = text.length == 0 ? null : new String(text, StandardCharsets.UTF_8);
            } else {
                double v = column.getDouble(row);
                value = Double.isNaN(v) ? null : v;
            }
            Field invalidIsError = returnInvalid.get(spec.name());
            if (value != null && invalidIsError != null && !valid(invalidIsError, value)) {
                throw new InvalidInputException("record " + row + ": field '" + spec.name() + "' has value '"
                        + Messages.shorten(String.valueOf(value), 100) + "', which the model declares invalid"
                        + allowed(invalidIsError));
            }
            record.put(spec.name(), value);
        }
        return record;
    }

    private static boolean valid(Field f, Object value) {
        try {
            return f.isValidValue(f.isNumeric() || !(value instanceof String s) ? value : f.toVal(s));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String allowed(Field f) {
        String values = f.valuesAsString();
        return values == null || values.isEmpty() ? "" : " (valid: " + Messages.shorten(values, 300) + ")";
    }

    private static Tensor column(TensorSpec spec, List<Map<String, Object>> answers) {
        long[] shape = {answers.size()};
        if (spec.dataType() == DataType.BYTES) {
            List<byte[]> values = new ArrayList<>(answers.size());
            for (Map<String, Object> a : answers) {
                Object v = a.get(spec.name());
                values.add(v == null ? new byte[0] : String.valueOf(v).getBytes(StandardCharsets.UTF_8));
            }
            return Tensor.ofBytes(shape, values);
        }
        Tensor t = Tensor.allocateHeap(DataType.FP64, shape);
        for (int i = 0; i < answers.size(); i++) {
            t.setDouble(i, number(answers.get(i).get(spec.name())));
        }
        return t;
    }

    private static double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(String.valueOf(v));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        // the model is garbage once its predictor is
    }
}
