package com.modelfactory.runtime.torch;

import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TypeTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Copies engine tensors into DJL PyTorch arrays (owned by a per-call manager) and back. */
final class DjlTensors {
    /** DJL's names for the element types libtorch computes with. */
    private static final TypeTable<ai.djl.ndarray.types.DataType> TYPES =
            TypeTable.<ai.djl.ndarray.types.DataType>builder("PyTorch")
                    .map(DataType.FP32, ai.djl.ndarray.types.DataType.FLOAT32)
                    .map(DataType.FP64, ai.djl.ndarray.types.DataType.FLOAT64)
                    .map(DataType.FP16, ai.djl.ndarray.types.DataType.FLOAT16)
                    .map(DataType.BF16, ai.djl.ndarray.types.DataType.BFLOAT16)
                    .map(DataType.INT8, ai.djl.ndarray.types.DataType.INT8)
                    .map(DataType.UINT8, ai.djl.ndarray.types.DataType.UINT8)
                    .map(DataType.INT16, ai.djl.ndarray.types.DataType.INT16)
                    .map(DataType.INT32, ai.djl.ndarray.types.DataType.INT32)
                    .map(DataType.INT64, ai.djl.ndarray.types.DataType.INT64)
                    .map(DataType.BOOL, ai.djl.ndarray.types.DataType.BOOLEAN)
                    .map(DataType.UINT16, ai.djl.ndarray.types.DataType.UINT16)
                    .map(DataType.UINT32, ai.djl.ndarray.types.DataType.UINT32)
                    .map(DataType.UINT64, ai.djl.ndarray.types.DataType.UINT64)
                    .build();
    private DjlTensors() {
    }

    /**
     * A new array in {@code manager} holding a copy of {@code t}. libtorch allocates the array and the
     * bytes are copied straight into its memory through a direct view, so nothing of the call is left
     * to Java's garbage collector: closing the manager frees it all. (DJL's create(Buffer) would wrap a
     * fresh Java direct buffer per call, freed only after a GC.)
     */
    static PtNDArray toDjl(PtNDManager manager, String input, Tensor t) {
        PtNDArray a = manager.create(new Shape(t.shape()), djlType(input, t.dataType()));
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
            // returned as FP32, as before the seam had BF16: the HTTP layer writes no BF16 yet
            a = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        }
        DataType type = dataType(a.getDataType());
        long[] shape = a.getShape().getShape();
        // toByteArray copies into a Java array inside the JNI call (no direct buffer to wait on a GC)
        return new Tensor(type, shape, ByteBuffer.wrap(a.toByteArray()).order(ByteOrder.LITTLE_ENDIAN));
    }

    static ai.djl.ndarray.types.DataType djlType(String input, DataType t) {
        return TYPES.forInput(input, t);
    }

    static DataType dataType(ai.djl.ndarray.types.DataType t) {
        return TYPES.dataType(t).orElseThrow(() ->
                new IllegalArgumentException("PyTorch output dtype " + t + " is not supported"));
    }
}
