package com.modelfactory.runtime.serving;

import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.image.ImageFrame;
import java.util.List;
import java.util.Map;

/**
 * One request's result: every output of the model (signature order, first dimension = the request's
 * items) and, for each image the request's decoding shaped, where it went in the input (empty for
 * requests of plain tensors), and the items of the batch it ran in (the largest, for a request run in parts;
 * the access log shows it).
 */
public record Inference(Map<String, Tensor> outputs, List<ImageFrame> frames, int batchItems) {
}
