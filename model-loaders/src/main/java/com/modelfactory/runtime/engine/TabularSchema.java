package com.modelfactory.runtime.engine;

import java.util.List;

/**
 * What a tabular model (PMML, ONNX-ML) says about its fields, beyond its tensors: each input is one column
 * of records (one value per record), each output a column of answers with its role. The server turns records
 * into these columns and the columns back into answers per record by it.
 *
 * @param inputs  the fields a record carries, in the model's order
 * @param outputs what the model answers per record
 * @param target  the predicted field's name, or null when the model names none (clustering)
 * @param classification whether the predicted value is a label (classification) rather than a number
 */
public record TabularSchema(List<InputField> inputs, List<OutputField> outputs, String target,
                            boolean classification) {

    public TabularSchema {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * One input field.
     *
     * @param type     the model's type ("double", "integer", "string", "boolean", "float", ...)
     * @param optype   "continuous", "categorical" or "ordinal"
     * @param values   the values the model declares valid (PMML DataDictionary), empty when any
     * @param required whether a record must carry it (false when the model declares a missing-value treatment)
     */
    public record InputField(String name, String type, String optype, List<String> values, boolean required) {
        public InputField {
            values = List.copyOf(values);
        }
    }

    /** What an output column is: the predicted value, one class's probability, all classes' probabilities, other. */
    public enum Role { PREDICTED, PROBABILITY, PROBABILITIES, OTHER }

    /**
     * One output column (a tensor of the model's signature, one entry per record, or [N, C] for
     * {@link Role#PROBABILITIES}).
     *
     * @param label  for {@link Role#PROBABILITY}: the class it is the probability of, else null
     * @param labels for {@link Role#PROBABILITIES}: the class of each column, else empty
     * @param type   the model's type of the values ("double", "integer", "string", ...)
     */
    public record OutputField(String name, Role role, String label, List<String> labels, String type) {
        public OutputField {
            labels = List.copyOf(labels);
        }
    }
}
