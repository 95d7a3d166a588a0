package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.tensorflow.RawTensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
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

    /** The TF tensor class for an engine datatype. */
    public static Class<? extends TType> tfType(DataType t) {
        return switch (t) {
            case FP32 -> TFloat32.class;
            case FP64 -> TFloat64.class;
            case FP16 -> TFloat16.class;
            case BF16 -> org.tensorflow.types.TBfloat16.class;
            case INT32 -> TInt32.class;
            case INT64 -> TInt64.class;
            case UINT8 -> TUint8.class;
            case UINT16 -> TUint16.class;
            case BOOL -> TBool.class;
            // TF Java 1.1.0 has no tensor classes for these, so it cannot allocate them.
            case INT8, INT16, UINT32, UINT64, BYTES ->
                    throw new IllegalArgumentException("datatype " + t + " cannot be passed to TensorFlow Java");
        };
    }

    /** The engine datatype for a TF dtype. */
    public static DataType dataType(org.tensorflow.proto.DataType t) {
        DataType d = dataTypeOrNull(t);
        if (d == null) {
            throw new IllegalArgumentException("TensorFlow dtype " + t + " is not supported by the runtime");
        }
        return d;
    }

    /** The engine datatype for a TF dtype, or null when there is none (strings, resources, ...). */
    public static DataType dataTypeOrNull(org.tensorflow.proto.DataType t) {
        return switch (t) {
            case DT_FLOAT, DT_FLOAT_REF -> DataType.FP32;
            case DT_DOUBLE, DT_DOUBLE_REF -> DataType.FP64;
            case DT_HALF, DT_HALF_REF -> DataType.FP16;
            case DT_INT8, DT_INT8_REF -> DataType.INT8;
            case DT_INT16, DT_INT16_REF -> DataType.INT16;
            case DT_INT32, DT_INT32_REF -> DataType.INT32;
            case DT_INT64, DT_INT64_REF -> DataType.INT64;
            case DT_UINT8, DT_UINT8_REF -> DataType.UINT8;
            case DT_UINT16, DT_UINT16_REF -> DataType.UINT16;
            case DT_UINT32, DT_UINT32_REF -> DataType.UINT32;
            case DT_UINT64, DT_UINT64_REF -> DataType.UINT64;
            case DT_BOOL, DT_BOOL_REF -> DataType.BOOL;
            default -> null;
        };
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
