package com.modelfactory.runtime.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

class TfTensorsTest {

    @BeforeAll
    static void natives() {
        TfNatives.prepare(null);
    }

    @Test
    void floatsKeepValuesAndShapeBothWays() {
        Tensor in = Tensor.ofFloats(new long[] {2, 3}, 1f, -2f, 3.5f, 4f, 5f, 6.25f);
        try (org.tensorflow.Tensor tf = TfTensors.toTf(in)) {
            TFloat32 typed = (TFloat32) tf;
            assertEquals(3.5f, typed.getFloat(0, 2));
            assertEquals(6.25f, typed.getFloat(1, 2));
            Tensor back = TfTensors.fromTf(tf);
            assertEquals(DataType.FP32, back.dataType());
            assertArrayEquals(new long[] {2, 3}, back.shape());
            assertArrayEquals(in.toFloats(), back.toFloats());
        }
    }

    @Test
    void heapBackedLongsAndBytesAndBools() {
        ByteBuffer heap = ByteBuffer.allocate(3 * 8).order(ByteOrder.LITTLE_ENDIAN);
        heap.putLong(7).putLong(-1).putLong(Long.MAX_VALUE).flip();
        Tensor longs = new Tensor(DataType.INT64, new long[] {3}, heap);
        try (org.tensorflow.Tensor tf = TfTensors.toTf(longs)) {
            assertEquals(Long.MAX_VALUE, ((TInt64) tf).getLong(2));
            assertArrayEquals(new double[] {7, -1, Long.MAX_VALUE}, TfTensors.fromTf(tf).toDoubles());
        }
        for (DataType t : new DataType[] {DataType.UINT8, DataType.BOOL, DataType.INT32, DataType.FP64, DataType.FP16}) {
            Tensor z = Tensor.allocate(t, new long[] {1, 2, 2});
            z.mutableData().put(0, (byte) 1);
            try (org.tensorflow.Tensor tf = TfTensors.toTf(z)) {
                Tensor back = TfTensors.fromTf(tf);
                assertEquals(t, back.dataType());
                assertEquals(z.data(), back.data(), "bytes of " + t);
            }
        }
    }

    @Test
    void scalarAndEmptyTensors() {
        try (org.tensorflow.Tensor tf = TfTensors.toTf(Tensor.ofFloats(new long[0], 42f))) {
            Tensor back = TfTensors.fromTf(tf);
            assertEquals(0, back.shape().length);
            assertEquals(42f, back.toFloats()[0]);
        }
        try (org.tensorflow.Tensor tf = TfTensors.toTf(Tensor.ofFloats(new long[] {0, 4}))) {
            assertArrayEquals(new long[] {0, 4}, TfTensors.fromTf(tf).shape());
        }
    }

    @Test
    void typesTensorFlowJavaCannotAllocateAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TfTensors.toTf(Tensor.allocate(DataType.INT8, new long[] {1})));
    }

    @Test
    void bfloat16GoesToTensorFlowAndBack() {
        Tensor in = Tensor.allocate(DataType.BF16, new long[] {2});
        in.setDouble(0, 0.75);
        in.setDouble(1, -8);
        try (org.tensorflow.Tensor tf = TfTensors.toTf(in)) {
            assertEquals(org.tensorflow.proto.DataType.DT_BFLOAT16, tf.dataType());
            Tensor back = TfTensors.fromTf(tf);
            assertEquals(DataType.BF16, back.dataType());
            assertArrayEquals(new double[] {0.75, -8}, back.toDoubles());
        }
        assertEquals(DataType.FP32, TfTensors.dataType(org.tensorflow.proto.DataType.DT_FLOAT_REF), "a ref reads as its value");
    }

    @Test
    void bytesAreRefusedNamingWhatTensorFlowTakes() {
        Tensor strings = Tensor.ofBytes(new long[] {1}, java.util.List.of(new byte[] {'a'}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TfTensors.toTf(strings));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("BYTES"), e.getMessage());
    }
}
