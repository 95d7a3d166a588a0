package com.modelfactory.runtime.torch;

import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Copies engine tensors into DJL PyTorch arrays (owned by a per-call manager) and back. */
final class DjlTensors {
    private DjlTensors() {
    }

    /**
     * A new array in {@code manager} holding a copy of {@code t}. libtorch allocates the array and the
     * bytes are copied straight into its memory through a direct view, so nothing of the call is left
     * to Java's garbage collector: closing the manager frees it all. (DJL's create(Buffer) would wrap a
     * fresh Java direct buffer per call, freed only after a GC.)
     */
    static PtNDArray toDjl(PtNDManager manager, Tensor t) {
        PtNDArray a = manager.create(new Shape(t.shape()), djlType(t.dataType()));
        ByteBuffer src = t.data();
        if (src.remaining() > 0) {
            ByteBuffer view = a.toByteBuffer(true);
            if (view.remaining() != src.remaining()) {
                throw new IllegalStateException("libtorch allocated " + view.remaining() + " bytes for "
                        + src.remaining() + " bytes of " + t);
            }
            view.put(src);
        }
        return a;
    }

    /** A heap copy of the array's values (made before the call's manager frees the native memory). */
    static Tensor fromDjl(ai.djl.ndarray.NDArray a) {
        if (a.getDataType() == ai.djl.ndarray.types.DataType.BFLOAT16) {
            a = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false); // no OIP datatype for bfloat16
        }
        DataType type = dataType(a.getDataType());
        long[] shape = a.getShape().getShape();
        // toByteArray copies into a Java array inside the JNI call (no direct buffer to wait on a GC)
        return new Tensor(type, shape, ByteBuffer.wrap(a.toByteArray()).order(ByteOrder.LITTLE_ENDIAN));
    }

    static ai.djl.ndarray.types.DataType djlType(DataType t) {
        return switch (t) {
            case FP32 -> ai.djl.ndarray.types.DataType.FLOAT32;
            case FP64 -> ai.djl.ndarray.types.DataType.FLOAT64;
            case FP16 -> ai.djl.ndarray.types.DataType.FLOAT16;
            case BF16 -> ai.djl.ndarray.types.DataType.BFLOAT16;
            case INT8 -> ai.djl.ndarray.types.DataType.INT8;
            case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
            case INT16 -> ai.djl.ndarray.types.DataType.INT16;
            case INT32 -> ai.djl.ndarray.types.DataType.INT32;
            case INT64 -> ai.djl.ndarray.types.DataType.INT64;
            case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
            case UINT16 -> ai.djl.ndarray.types.DataType.UINT16;
            case UINT32 -> ai.djl.ndarray.types.DataType.UINT32;
            case UINT64 -> ai.djl.ndarray.types.DataType.UINT64;
            case BYTES -> throw new IllegalArgumentException("BYTES tensors cannot be passed to PyTorch");
        };
    }

    static DataType dataType(ai.djl.ndarray.types.DataType t) {
        return switch (t) {
            case FLOAT32 -> DataType.FP32;
            case FLOAT64 -> DataType.FP64;
            case FLOAT16 -> DataType.FP16;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case INT16 -> DataType.INT16;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case BOOLEAN -> DataType.BOOL;
            case UINT16 -> DataType.UINT16;
            case UINT32 -> DataType.UINT32;
            case UINT64 -> DataType.UINT64;
            default -> throw new IllegalArgumentException("PyTorch output dtype " + t + " is not supported");
        };
    }
}
