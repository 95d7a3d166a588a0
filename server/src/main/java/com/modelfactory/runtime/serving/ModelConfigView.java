package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.image.ImageInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The served model as Triton's model configuration describes one ({@code inference.ModelConfig}),
 * protocol-neutral: the HTTP route prints it as JSON, gRPC's ModelConfig RPC as the protobuf message.
 * Triton's clients read it: {@code max_batch_size} (0 = no batch dimension; else dims exclude it) and the
 * image input's {@code format} decide how image_client.py shapes its requests.
 *
 * @param maxBatchSize      0 when the model has no batch dimension
 * @param maxQueueDelayUs   the batch delay, in microseconds
 * @param instanceCount     batch workers
 * @param gpu               instances run on a GPU (KIND_GPU) rather than the CPU (KIND_CPU)
 * @param defaultModelFile  the model file's name, as Triton's default_model_filename
 */
public record ModelConfigView(String name, String platform, String backend, int maxBatchSize,
                              List<Tensor> inputs, List<Tensor> outputs, List<Integer> preferredBatchSizes,
                              long maxQueueDelayUs, int instanceCount, boolean gpu, String defaultModelFile) {

    /**
     * One input or output: config datatype ("TYPE_FP32"; BYTES is TYPE_STRING) and dims without the
     * batch dimension when {@code max_batch_size} > 0, -1 for a variable dimension.
     *
     * @param format FORMAT_NCHW / FORMAT_NHWC for the image input, else FORMAT_NONE
     */
    public record Tensor(String name, String dataType, String format, long[] dims) {
    }

    public static ModelConfigView of(ModelInfo m) {
        Signature s = m.signature();
        boolean batched = s.batched();
        int maxBatch = batched ? m.batching().maxBatchSize() : 0;
        List<Tensor> inputs = new ArrayList<>();
        for (TensorSpec t : s.inputs()) {
            inputs.add(new Tensor(t.name(), configType(t.dataType()), format(m.images(), t.name()), dims(t, batched)));
        }
        List<Tensor> outputs = new ArrayList<>();
        for (TensorSpec t : s.outputs()) {
            outputs.add(new Tensor(t.name(), configType(t.dataType()), "FORMAT_NONE", dims(t, batched)));
        }
        String file = m.source().modelPath() == null ? "model.onnx"
                : java.nio.file.Path.of(m.source().modelPath()).getFileName().toString();
        return new ModelConfigView(m.name(), m.platform(), m.engine(), maxBatch, inputs, outputs,
                maxBatch > 1 ? List.of(maxBatch) : List.of(), Math.round(m.batching().maxBatchDelayMs() * 1000),
                m.batching().instances(), m.device().startsWith("cuda"), file);
    }

    /** Triton's config datatype names: the protocol's with TYPE_, and BYTES as TYPE_STRING. */
    public static String configType(DataType t) {
        return t == DataType.BYTES ? "TYPE_STRING" : "TYPE_" + t.name();
    }

    private static String format(ImageInput images, String input) {
        if (images == null || !images.inputName().equals(input) || images.rank() != 4) {
            return "FORMAT_NONE";
        }
        return images.layout() == ImageInput.Layout.NCHW ? "FORMAT_NCHW" : "FORMAT_NHWC";
    }

    private static long[] dims(TensorSpec t, boolean batched) {
        if (!t.shapeKnown()) {
            return new long[] {-1};
        }
        long[] shape = t.shape();
        return batched && shape.length > 0 ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
    }
}
