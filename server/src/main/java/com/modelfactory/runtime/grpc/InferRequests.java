package com.modelfactory.runtime.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.grpc.proto.InferParameter;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest.InferInputTensor;
import com.modelfactory.runtime.grpc.proto.ModelInferRequest.InferRequestedOutputTensor;
import com.modelfactory.runtime.serving.RequestedOutputs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ModelInferRequest as the model's input tensors. {@code raw_input_contents} entries become tensors as
 * they are (the parse aliases the message bytes, the tensor wraps them: no copy and no per-element work);
 * typed {@code contents} go through {@link TypedContents}. Every inconsistency is INVALID_ARGUMENT naming
 * the input: sizes against shape and datatype, the number of raw entries, raw and typed mixed.
 */
final class InferRequests {
    /** Triton's per-request timeout parameter, in microseconds (int64_param). */
    static final String TIMEOUT = "timeout";

    private InferRequests() {
    }

    /** A request's model_name (field 1) and model_version (field 2). */
    record Target(String name, String version) {
    }

    /**
     * The model a request names, read without parsing the rest: the top-level fields are walked and
     * length-delimited ones skipped, so a request of megabytes costs microseconds (it picks the serving
     * core before the request is decoded on that core's decoder threads).
     */
    static Target target(ByteBuffer bytes) {
        String name = "";
        String version = "";
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes.duplicate());
            in.setSizeLimit(Integer.MAX_VALUE);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case (1 << 3) | 2 -> name = in.readStringRequireUtf8();
                    case (2 << 3) | 2 -> version = in.readStringRequireUtf8();
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw ServingException.badInput("the request is not a valid ModelInferRequest: " + e.getMessage());
        }
        return new Target(name, version);
    }

    /** Parses the message; bytes fields alias {@code bytes}, which must not change afterwards. */
    static ModelInferRequest parse(ByteBuffer bytes) {
        try {
            // Protobuf aliases bytes fields only when it reads from an immutable ByteString, never from a
            // ByteBuffer or byte[] (it copies them): wrapping declares the buffer immutable, as it is here.
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            return ModelInferRequest.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw ServingException.badInput("the request is not a valid ModelInferRequest: " + e.getMessage());
        } catch (IOException e) {
            throw ServingException.badInput("the request could not be read: " + e.getMessage());
        }
    }

    /** The input tensors by name, in request order. */
    static Map<String, Tensor> inputs(ModelInferRequest r) {
        int raw = r.getRawInputContentsCount();
        if (raw > 0 && raw != r.getInputsCount()) {
            throw ServingException.badInput("raw_input_contents has " + raw + " entries but the request has "
                    + r.getInputsCount() + " inputs: one entry per input, in the order of inputs");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < r.getInputsCount(); i++) {
            InferInputTensor in = r.getInputs(i);
            Tensor t = raw > 0 ? raw(in, r.getRawInputContents(i)) : typed(in);
            if (out.put(in.getName(), t) != null) {
                throw ServingException.badInput("input '" + in.getName() + "' is given twice");
            }
        }
        return out;
    }

    private static Tensor raw(InferInputTensor in, ByteString bytes) {
        if (in.hasContents()) {
            throw ServingException.badInput("input '" + in.getName() + "' has contents while the request uses "
                    + "raw_input_contents: give every input in one form");
        }
        DataType type = datatype(in);
        long[] shape = shape(in);
        ByteBuffer data = bytes.asReadOnlyByteBuffer();
        if (type != DataType.BYTES && data.remaining() != type.byteSize(shape)) {
            throw ServingException.badInput("input '" + in.getName() + "': its raw_input_contents entry has "
                    + data.remaining() + " bytes but " + type + " " + Arrays.toString(shape) + " takes "
                    + type.byteSize(shape));
        }
        try {
            return new Tensor(type, shape, data);
        } catch (IllegalArgumentException e) {
            throw ServingException.badInput("input '" + in.getName() + "': " + e.getMessage());
        }
    }

    private static Tensor typed(InferInputTensor in) {
        if (!in.hasContents()) {
            throw ServingException.badInput("input '" + in.getName() + "' has no data: give contents, or "
                    + "raw_input_contents for every input");
        }
        return TypedContents.tensor(in.getName(), datatype(in), shape(in), in.getContents());
    }

    private static DataType datatype(InferInputTensor in) {
        try {
            return DataType.fromName(in.getDatatype());
        } catch (IllegalArgumentException e) {
            throw ServingException.badInput("input '" + in.getName() + "': " + e.getMessage());
        }
    }

    private static long[] shape(InferInputTensor in) {
        long[] shape = new long[in.getShapeCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = in.getShape(i);
        }
        try {
            long elements = Tensor.elementCount(shape);
            if (elements > Integer.MAX_VALUE) {
                throw ServingException.badInput("input '" + in.getName() + "' has shape " + Arrays.toString(shape)
                        + ": too many elements");
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw ServingException.badInput("input '" + in.getName() + "' has shape " + Arrays.toString(shape)
                    + ": dimensions must be >= 0 and their product must fit");
        }
        return shape;
    }

    /** The requested output names (empty = every output), each checked against the model. */
    static List<String> outputs(ModelInferRequest r, Signature signature) {
        return outputs(r, signature, false);
    }

    /** @param answered the outputs are the post-processed detections, not the model's */
    static List<String> outputs(ModelInferRequest r, Signature signature, boolean answered) {
        List<String> names = new ArrayList<>(r.getOutputsCount());
        for (InferRequestedOutputTensor o : r.getOutputsList()) {
            if (o.containsParameters("classification")) {
                throw ServingException.badInput("output '" + o.getName() + "': the classification extension is "
                        + "not supported; request the tensor itself");
            }
            names.add(o.getName());
        }
        RequestedOutputs.check(answered ? com.modelfactory.runtime.answer.PostprocessRequest.SIGNATURE : signature, names);
        return names;
    }

    /**
     * The post-processing parameters (postprocess as Boolean; conf, iou, max_det as numbers or text),
     * for {@link com.modelfactory.runtime.answer.PostprocessRequest}.
     */
    static java.util.Map<String, Object> answerParameters(ModelInferRequest r) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        r.getParametersMap().forEach((key, p) -> {
            if (key.equals("postprocess")) {
                if (p.getParameterChoiceCase() != InferParameter.ParameterChoiceCase.BOOL_PARAM) {
                    throw ServingException.badInput("parameter 'postprocess' must be a bool_param");
                }
                out.put(key, p.getBoolParam());
            } else if (key.equals("conf") || key.equals("iou") || key.equals("max_det")) {
                out.put(key, switch (p.getParameterChoiceCase()) {
                    case DOUBLE_PARAM -> p.getDoubleParam();
                    case INT64_PARAM -> p.getInt64Param();
                    case UINT64_PARAM -> p.getUint64Param();
                    case STRING_PARAM -> p.getStringParam();
                    default -> throw ServingException.badInput("parameter '" + key + "' must be a number");
                });
            }
        });
        return out;
    }

    /** The request's {@code timeout} parameter in microseconds; 0 when it has none. */
    static long timeoutMicros(ModelInferRequest r) {
        InferParameter p = r.getParametersMap().get(TIMEOUT);
        if (p == null) {
            return 0;
        }
        long us = switch (p.getParameterChoiceCase()) {
            case INT64_PARAM -> p.getInt64Param();
            case UINT64_PARAM -> p.getUint64Param();
            default -> throw ServingException.badInput("parameter 'timeout' is the request's timeout in "
                    + "microseconds: an int64_param, got " + p.getParameterChoiceCase());
        };
        if (us < 0) {
            throw ServingException.badInput("parameter 'timeout' must be >= 0 microseconds, got " + us);
        }
        return us;
    }
}
