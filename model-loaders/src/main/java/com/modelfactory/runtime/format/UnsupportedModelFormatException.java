package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.nio.file.Path;

/** The file is a known model format that no engine here runs; the message says how to convert it. */
public class UnsupportedModelFormatException extends ModelLoadException {
    private final ModelFormat format;
    private final Path path;

    public UnsupportedModelFormatException(ModelFormat format, Path path, String what) {
        super(path + " is " + what + ", which this runtime does not serve. " + advice(format));
        this.format = format;
        this.path = path;
    }

    public ModelFormat format() {
        return format;
    }

    public Path path() {
        return path;
    }

    static String advice(ModelFormat format) {
        return switch (format) {
            case PYTORCH_PICKLE -> "Export TorchScript instead: torch.jit.trace(model, example_input).save('model.pt') "
                    + "or torch.jit.script(model).save('model.pt') (load the state_dict into the model class first), "
                    + "or export ONNX with torch.onnx.export.";
            case KERAS_V3 -> "Save in the H5 format instead: model.save('model.h5') (Keras 3: "
                    + "model.save('model.h5') or keras.saving.save_model(model, 'model.h5')), or export a SavedModel "
                    + "with model.export('saved_model_dir').";
            case TFLITE -> "Serve the SavedModel the .tflite was converted from, or convert to ONNX with "
                    + "python -m tf2onnx.convert --tflite model.tflite --output model.onnx.";
            case PMML -> "PMML models need a PMML evaluator; convert the model to ONNX (e.g. skl2onnx for "
                    + "scikit-learn) and serve the .onnx file.";
            default -> "Convert it to ONNX, TorchScript, Keras H5 or a TensorFlow SavedModel.";
        };
    }
}
