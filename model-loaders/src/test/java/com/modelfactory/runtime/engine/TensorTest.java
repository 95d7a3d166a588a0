package com.modelfactory.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bytesTensorUsesTheTritonBinaryLayout() {
        Tensor t = Tensor.ofBytes(new long[] {2}, List.of(utf8("cat"), utf8("")));
        ByteBuffer b = t.data();
        assertEquals(4 + 3 + 4, b.remaining());
        assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
        assertEquals(3, b.getInt(0));
        assertEquals('c', b.get(4));
        assertEquals(0, b.getInt(7));
        assertEquals("cat", StandardCharsets.UTF_8.decode(t.bytesElement(0)).toString());
        assertEquals(0, t.bytesElement(1).remaining());
        assertArrayEquals(utf8("cat"), t.bytesElements().get(0));
    }

    @Test
    void aBinaryRequestSectionIsWrappedWithoutCopying() {
        ByteBuffer section = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        section.putInt(2).put(utf8("ab")).putInt(1).put(utf8("c")).flip();
        Tensor t = new Tensor(DataType.BYTES, new long[] {1, 2}, section);
        section.put(4, (byte) 'x'); // the tensor is a view of the request's bytes
        assertEquals("xb", StandardCharsets.UTF_8.decode(t.bytesElement(0)).toString());
        assertEquals(2, t.elementCount());
    }

    @Test
    void bytesElementCountsAndLengthsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.ofBytes(new long[] {3}, List.of(utf8("a"))));
        ByteBuffer tooLong = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(5).put(utf8("ab")).flip();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor(DataType.BYTES, new long[] {1}, tooLong));
        assertTrue(e.getMessage().contains("says 5 bytes but only 2 follow"), e.getMessage());
        ByteBuffer trailing = ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN).putInt(1).put(utf8("abc")).flip();
        e = assertThrows(IllegalArgumentException.class, () -> new Tensor(DataType.BYTES, new long[] {1}, trailing));
        assertTrue(e.getMessage().contains("2 bytes more"), e.getMessage());
        ByteBuffer negative = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).flip();
        assertThrows(IllegalArgumentException.class, () -> new Tensor(DataType.BYTES, new long[] {1}, negative));
        ByteBuffer few = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0).flip();
        e = assertThrows(IllegalArgumentException.class, () -> new Tensor(DataType.BYTES, new long[] {2}, few));
        assertTrue(e.getMessage().contains("2 elements"), e.getMessage());
    }

    @Test
    void bytesTensorsHaveNoNumbersAndNoFixedSize() {
        Tensor t = Tensor.ofBytes(new long[] {1}, List.of(utf8("a")));
        assertThrows(IllegalStateException.class, t::toDoubles);
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DataType.BYTES, new long[] {1}));
        assertThrows(IllegalStateException.class, () -> Tensor.ofFloats(new long[] {1}, 1f).bytesElement(0));
    }

    @Test
    void elementAccessIsBoundsChecked() {
        Tensor t = Tensor.ofFloats(new long[] {2}, 1f, 2f);
        assertThrows(IndexOutOfBoundsException.class, () -> t.getDouble(2));
        assertThrows(IndexOutOfBoundsException.class, () -> t.setDouble(-1, 0));
        Tensor b = Tensor.ofBytes(new long[] {1}, List.of(utf8("a")));
        assertThrows(IndexOutOfBoundsException.class, () -> b.bytesElement(1));
    }

    @Test
    void denseSizeMustMatchTheShape() {
        assertThrows(IllegalArgumentException.class,
                () -> new Tensor(DataType.FP32, new long[] {2}, ByteBuffer.allocate(4)));
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DataType.FP32, new long[] {-1}));
        assertEquals(2 * 3 * 2, DataType.BF16.byteSize(new long[] {2, 3}));
    }

    @Test
    void everyNumericTypeReadsAndWritesItsElements() {
        for (DataType type : DataType.values()) {
            if (type == DataType.BYTES) {
                continue;
            }
            Tensor t = Tensor.allocate(type, new long[] {3});
            t.setDouble(0, 1);
            t.setDouble(1, 0);
            t.setLong(2, 100);
            double hundred = type == DataType.BOOL ? 1 : 100; // BOOL stores any non-zero as 1
            assertArrayEquals(new double[] {1, 0, hundred}, t.toDoubles(), type.name());
            assertEquals(type == DataType.BOOL ? 1 : 100, t.getLong(2), type.name());
        }
    }

    @Test
    void sixtyFourBitIntegersAreExactThroughTheLongAccessors() {
        Tensor t = Tensor.allocate(DataType.INT64, new long[] {1});
        t.setLong(0, Long.MAX_VALUE - 1);
        assertEquals(Long.MAX_VALUE - 1, t.getLong(0));
        Tensor u = Tensor.allocate(DataType.UINT8, new long[] {1});
        u.setLong(0, 255);
        assertEquals(255, u.getLong(0));
        assertEquals(255.0, u.getDouble(0));
    }
}
