package com.modelfactory.runtime.pmml;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TabularSchema;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.pmml4s.common.MiningFunction$;
import org.pmml4s.metadata.Field;
import org.pmml4s.metadata.MiningField;
import org.pmml4s.metadata.OutputField;
import org.pmml4s.metadata.ResultFeature$;
import org.pmml4s.model.Model;

/**
 * A PMML model's fields as the seam sees them: one [N] column tensor per input field (FP64 for numbers,
 * BYTES for strings and everything else) and per output field, and the {@link TabularSchema} that names
 * their roles. Read once from one parsed model; every predictor's model has the same fields.
 */
record PmmlFields(List<Field> inputs, List<OutputField> outputs, Signature signature, TabularSchema schema) {

    static PmmlFields of(Model model) {
        List<Field> inputs = Arrays.asList(model.inputFields());
        List<OutputField> outputs = Arrays.asList(model.outputFields());
        List<TensorSpec> in = new ArrayList<>();
        List<TabularSchema.InputField> inFields = new ArrayList<>();
        for (Field f : inputs) {
            in.add(new TensorSpec(f.name(), numeric(f.dataType()) ? DataType.FP64 : DataType.BYTES, new long[]{-1}));
            inFields.add(new TabularSchema.InputField(f.name(), name(f.dataType()), name(f.opType()),
                    Arrays.stream(f.validValues()).map(String::valueOf).toList(), !hasReplacement(model, f.name())));
        }
        List<TensorSpec> out = new ArrayList<>();
        List<TabularSchema.OutputField> outFields = new ArrayList<>();
        for (OutputField f : outputs) {
            out.add(new TensorSpec(f.name(), numeric(f.dataType()) ? DataType.FP64 : DataType.BYTES, new long[]{-1}));
            outFields.add(outputField(f));
        }
        boolean classification = model.functionName() == MiningFunction$.MODULE$.classification();
        String target = model.targetNames().length > 0 ? model.targetName() : null;
        return new PmmlFields(List.copyOf(inputs), List.copyOf(outputs), new Signature(in, out, true, -1),
                new TabularSchema(inFields, outFields, target, classification));
    }

    private static TabularSchema.OutputField outputField(OutputField f) {
        String type = name(f.dataType());
        if (f.feature() == ResultFeature$.MODULE$.predictedValue()) {
            return new TabularSchema.OutputField(f.name(), TabularSchema.Role.PREDICTED, null, List.of(), type);
        }
        if (f.feature() == ResultFeature$.MODULE$.probability() && f.value().isDefined()) {
            return new TabularSchema.OutputField(f.name(), TabularSchema.Role.PROBABILITY,
                    String.valueOf(f.value().get()), List.of(), type);
        }
        return new TabularSchema.OutputField(f.name(), TabularSchema.Role.OTHER, null, List.of(), type);
    }

    private static boolean hasReplacement(Model model, String field) {
        for (MiningField m : model.miningSchema().inputMiningFields()) {
            if (m.name().equals(field)) {
                return m.missingValueReplacement().isDefined() || m.missingValueTreatment().isDefined();
            }
        }
        return false;
    }

    static boolean numeric(org.pmml4s.common.DataType type) {
        return switch (name(type)) {
            case "double", "float", "real", "integer" -> true;
            default -> false;
        };
    }

    static String name(Object pmmlName) {
        return String.valueOf(pmmlName).toLowerCase(Locale.ROOT);
    }
}
