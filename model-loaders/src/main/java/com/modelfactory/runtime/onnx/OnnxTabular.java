package com.modelfactory.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TabularSchema;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises an ONNX-ML tabular model (as skl2onnx, onnxmltools convert scikit-learn, LightGBM and XGBoost
 * models): it has a ZipMap output (class probabilities by label) or a string input. Its inputs are columns
 * ([N] or [N, 1]); its predicted value is the rank-1 output beside the ZipMap (skl2onnx's output_label).
 */
final class OnnxTabular {
    private OnnxTabular() {
    }

    static Optional<TabularSchema> of(OrtSession session, Signature signature, Map<String, List<String>> zipMaps)
            throws OrtException {
        // ZipMap outputs: rewritten into tensors (their names are the labels' keys), or still sequences of maps
        List<String> sequences = new ArrayList<>(zipMaps.keySet());
        for (NodeInfo n : session.getOutputInfo().values()) {
            if (n.getInfo() instanceof SequenceInfo si && si.isSequenceOfMaps()) {
                sequences.add(n.getName());
            }
        }
        boolean stringInput = signature.inputs().stream().anyMatch(t -> t.dataType() == DataType.BYTES);
        if (sequences.isEmpty() && !stringInput) {
            return Optional.empty();
        }
        boolean columns = signature.inputs().stream().allMatch(OnnxTabular::column);
        if (!columns) {
            return Optional.empty();
        }
        List<TabularSchema.InputField> inputs = new ArrayList<>();
        for (TensorSpec in : signature.inputs()) {
            boolean text = in.dataType() == DataType.BYTES;
            inputs.add(new TabularSchema.InputField(in.name(), text ? "string" : type(in.dataType()),
                    text ? "categorical" : "continuous", List.of(), true));
        }
        List<TabularSchema.OutputField> outputs = new ArrayList<>();
        boolean predicted = false;
        for (TensorSpec out : signature.outputs()) {
            if (sequences.contains(out.name())) {
                outputs.add(new TabularSchema.OutputField(out.name(), TabularSchema.Role.PROBABILITIES, null,
                        zipMaps.getOrDefault(out.name(), List.of()), "float"));
            } else if (!predicted && out.rank() == 1) {
                predicted = true;
                outputs.add(new TabularSchema.OutputField(out.name(), TabularSchema.Role.PREDICTED, null, List.of(),
                        out.dataType() == DataType.BYTES ? "string" : type(out.dataType())));
            } else {
                outputs.add(new TabularSchema.OutputField(out.name(), TabularSchema.Role.OTHER, null, List.of(),
                        out.dataType() == DataType.BYTES ? "string" : type(out.dataType())));
            }
        }
        return Optional.of(new TabularSchema(inputs, outputs, null, !sequences.isEmpty()));
    }

    /** [N] or [N, 1]: one value per record. */
    static boolean column(TensorSpec t) {
        return t.rank() == 1 || (t.rank() == 2 && t.dim(1) == 1);
    }

    private static String type(DataType t) {
        return switch (t) {
            case FP32 -> "float";
            case FP64 -> "double";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }
}
