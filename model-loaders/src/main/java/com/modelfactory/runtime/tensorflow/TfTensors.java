package com.modelfactory.runtime.tensorflow;

import static org.tensorflow.proto.DataType.*;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TypeTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.tensorflow.RawTensor;
import org.tensorflow.internal.types.registry.TensorTypeRegistry;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.types.family.TType;

/**
 * Copies engine tensors into TensorFlow tensors and back, in bulk. TF keeps dense tensors in host
 * byte order (little-endian on every platform we ship), row-major, exactly like {@link Tensor}, so
 * the bytes move unchanged with one memory copy each way (TF's raw buffers copy to and from byte
 * arrays with Unsafe; a direct ByteBuffer would fall back to an element loop inside ndarray).
 *
 * <p>The caller owns the returned TF tensor and must close it; {@link TfSessionModel} does.
 */
public final class TfTensors {
    private TfTensors() {
    }

    /** A new TF tensor holding a copy of {@code t}. Close it when done. */
    public static org.tensorflow.Tensor toTf(Tensor t) {
        Class<? extends TType> type = tfType(t.dataType());
        org.tensorflow.Tensor tf = org.tensorflow.Tensor.of(type, Shape.of(t.shape()));
        try {
            ByteBuffer src = t.mutableData();
            int n = src.remaining();
            if (n > 0) {
                ByteDataBuffer dst = tf.asRawTensor().data();
                if (src.hasArray()) {
                    dst.write(src.array(), src.arrayOffset() + src.position(), n);
                } else {
                    byte[] bytes = new byte[n];
                    src.get(bytes);
                    dst.write(bytes);
                }
            }
            return tf;
        } catch (RuntimeException e) {
            tf.close();
            throw e;
        }
    }

    /** A copy of a TF tensor as an engine tensor; the TF tensor stays open (its owner closes it). */
    public static Tensor fromTf(org.tensorflow.Tensor tf) {
        DataType type = dataType(tf.dataType());
        RawTensor raw = tf.asRawTensor();
        long[] shape = tf.shape().asArray();
        long bytes = type.byteSize(shape);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TF tensor " + Arrays.toString(shape) + " is too large to copy");
        }
        byte[] out = new byte[(int) bytes];
        if (out.length > 0) {
            raw.data().read(out);
        }
        return new Tensor(type, shape, ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * TensorFlow's dtypes for the seam's datatypes (reference dtypes of TF1 variables read as their
     * value type). TF Java 1.1.0 has tensor classes for only some of them; see {@link #tfType}.
     */
    private static final TypeTable<org.tensorflow.proto.DataType> TYPES =
            TypeTable.<org.tensorflow.proto.DataType>builder("TensorFlow")
                    .map(DataType.FP32, DT_FLOAT).map(DataType.FP64, DT_DOUBLE)
                    .map(DataType.FP16, DT_HALF).map(DataType.BF16, DT_BFLOAT16)
                    .map(DataType.INT8, DT_INT8).map(DataType.INT16, DT_INT16)
                    .map(DataType.INT32, DT_INT32).map(DataType.INT64, DT_INT64)
                    .map(DataType.UINT8, DT_UINT8).map(DataType.UINT16, DT_UINT16)
                    .map(DataType.UINT32, DT_UINT32).map(DataType.UINT64, DT_UINT64)
                    .map(DataType.BOOL, DT_BOOL)
                    .reads(DT_FLOAT_REF, DataType.FP32).reads(DT_DOUBLE_REF, DataType.FP64)
                    .reads(DT_HALF_REF, DataType.FP16).reads(DT_BFLOAT16_REF, DataType.BF16)
                    .reads(DT_INT8_REF, DataType.INT8).reads(DT_INT16_REF, DataType.INT16)
                    .reads(DT_INT32_REF, DataType.INT32).reads(DT_INT64_REF, DataType.INT64)
                    .reads(DT_UINT8_REF, DataType.UINT8).reads(DT_UINT16_REF, DataType.UINT16)
                    .reads(DT_UINT32_REF, DataType.UINT32).reads(DT_UINT64_REF, DataType.UINT64)
                    .reads(DT_BOOL_REF, DataType.BOOL)
                    .build();

    /**
     * The TF tensor class for an engine datatype: the class TF Java registers for its dtype. TF Java
     * 1.1.0 has none for INT8, INT16, UINT32 and UINT64, so it cannot allocate them.
     */
    public static Class<? extends TType> tfType(DataType t) {
        org.tensorflow.proto.DataType dtype = TYPES.engineType(t);
        try {
            return TensorTypeRegistry.find(dtype).type();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("datatype " + t + " cannot be passed to TensorFlow Java, which"
                    + " has no tensor class for " + dtype);
        }
    }

    /** The engine datatype for a TF dtype. */
    public static DataType dataType(org.tensorflow.proto.DataType t) {
        return TYPES.dataType(t).orElseThrow(() ->
                new IllegalArgumentException("TensorFlow dtype " + t + " is not supported by the runtime"));
    }

    /** The engine datatype for a TF dtype, or null when there is none (strings, resources, ...). */
    public static DataType dataTypeOrNull(org.tensorflow.proto.DataType t) {
        return TYPES.dataType(t).orElse(null);
    }

    /** A TF static shape as a signature shape: -1 for unknown dimensions, null for unknown rank. */
    public static long[] shapeOf(Shape s) {
        if (s == null || s.isUnknown()) {
            return null;
        }
        long[] dims = s.asArray();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                dims[i] = -1;
            }
        }
        return dims;
    }
}
