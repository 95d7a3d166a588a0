package com.modelfactory.runtime.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.engine.Tensor;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TensorJsonTest {

    private static Tensor parse(String json) {
        return TensorJson.parseInferRequest(json.getBytes(StandardCharsets.UTF_8)).inputs().values().iterator().next();
    }

    private static String error(String json) {
        return assertThrows(ServingException.class, () -> parse(json)).getMessage();
    }

    @Test
    void dataAfterShapeAndDataBeforeShapeGiveTheSameTensor() {
        String direct = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[[1.5,-2],[3e-3,4]]}]}";
        String staged = "{\"inputs\":[{\"data\":[1.5,-2,3e-3,4],\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,2]}]}";
        for (String json : new String[] {direct, staged}) {
            Tensor t = parse(json);
            assertEquals(DataType.FP32, t.dataType());
            assertArrayEquals(new long[] {2, 2}, t.shape());
            assertArrayEquals(new double[] {1.5, -2, 0.003f, 4}, t.toDoubles(), 0, json);
        }
    }

    @Test
    void integersKeepEveryBitAndAreRangeChecked() {
        long big = (1L << 60) + 1;
        Tensor t = parse("{\"inputs\":[{\"name\":\"ids\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[" + big + ",-7]}]}");
        assertEquals(big, t.data().getLong(0));
        assertEquals(-7, t.data().getLong(8));
        Tensor b = parse("{\"inputs\":[{\"name\":\"m\",\"shape\":[3],\"datatype\":\"BOOL\",\"data\":[true,false,1]}]}");
        assertArrayEquals(new double[] {1, 0, 1}, b.toDoubles());
        assertTrue(error("{\"inputs\":[{\"name\":\"p\",\"shape\":[1],\"datatype\":\"UINT8\",\"data\":[256]}]}")
                .contains("outside the datatype's range"));
        assertTrue(error("{\"inputs\":[{\"name\":\"p\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1.5]}]}")
                .contains("not a whole number"));
    }

    @Test
    void countMismatchesAreNamedInBothOrders() {
        String tooMany = error("{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}");
        assertTrue(tooMany.contains("input 'x' has shape [2] (2 values) but 3 or more values"), tooMany);
        String tooFew = error("{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":\"FP32\",\"data\":[1,2]}]}");
        assertTrue(tooFew.contains("(3 values) but 2 values"), tooFew);
        String staged = error("{\"inputs\":[{\"name\":\"x\",\"data\":[1,2],\"datatype\":\"FP32\",\"shape\":[3]}]}");
        assertTrue(staged.contains("(3 values) but 2 values"), staged);
    }

    @Test
    void aShapeTheBodyCannotFillIsRefusedBeforeAllocating() {
        // 2^28 floats would be a 1 GiB buffer; the body has room for a handful of values.
        String msg = error("{\"inputs\":[{\"name\":\"x\",\"shape\":[16384,16384],\"datatype\":\"FP32\",\"data\":[1]}]}");
        assertTrue(msg.contains("(268435456 values) but 1 values"), msg);
    }

    @Test
    void specialFloatsAndBadValues() {
        Tensor t = parse("{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":\"FP64\",\"data\":[\"NaN\",\"-Infinity\",2]}]}");
        double[] v = t.toDoubles();
        assertTrue(Double.isNaN(v[0]));
        assertEquals(Double.NEGATIVE_INFINITY, v[1]);
        assertTrue(error("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[\"one\"]}]}")
                .contains("tensor data must be numbers or booleans"));
        assertTrue(error("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[1]}]}")
                .contains("its data must be strings"));
    }

    @Test
    void strictJson() {
        String x = "{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]}";
        assertTrue(error("{\"inputs\":[" + x + "," + x + "]}").contains("input 'x' is given twice"));
        assertTrue(error("{\"inputs\":[" + x + "]} trailing").contains("malformed JSON"));
        assertTrue(error("{\"inputs\":[" + x + "]}{}").contains("trailing content"));
        assertTrue(error("{\"inputs\":[" + x + "],\"inputs\":[]}").contains("Duplicate field"));
        String ragged = "{\"inputs\":[{\"name\":\"r\",\"shape\":[4],\"datatype\":\"FP32\",\"data\":[[1],[2,3,4]]}]}";
        assertTrue(error(ragged).contains("input 'r' data is ragged"), error(ragged));
        String mixed = "{\"inputs\":[{\"name\":\"m\",\"shape\":[3],\"datatype\":\"FP32\",\"data\":[1,[2,3]]}]}";
        assertTrue(error(mixed).contains("is ragged"));
        String huge = "{\"inputs\":[{\"name\":\"h\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1e400]}]}";
        assertTrue(error(huge).contains("input 'h' holds Infinity, outside the range of FP32"), error(huge));
        String big = huge.replace("1e400", "1e39");
        assertTrue(error(big).contains("outside the range of FP32"), error(big));
        String staged = "{\"inputs\":[{\"data\":[1e39],\"name\":\"s\",\"shape\":[1],\"datatype\":\"FP32\"}]}";
        assertTrue(error(staged).contains("input 's' holds"), error(staged));
        String half = huge.replace("FP32", "FP16").replace("1e400", "70000");
        assertTrue(error(half).contains("outside the range of FP16"), error(half));
        Tensor nested = parse("{\"inputs\":[{\"name\":\"n\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[[1,2],[3,4]]}]}");
        assertArrayEquals(new double[] {1, 2, 3, 4}, nested.toDoubles(), "evenly nested data is fine");
        Tensor inf = parse("{\"inputs\":[{\"name\":\"i\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[\"Infinity\"]}]}");
        assertEquals(Double.POSITIVE_INFINITY, inf.toDoubles()[0], "an infinity asked for by name is kept");
    }

    private static TensorJson.InferRequest binary(String json, byte[] tail) {
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, body, head.length, tail.length);
        return TensorJson.parseInferRequest(body, head.length, null);
    }

    private static String binaryError(String json, byte[] tail) {
        return assertThrows(ServingException.class, () -> binary(json, tail)).getMessage();
    }

    @Test
    void binarySectionsAreWrappedNotParsed() {
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":8}}]}";
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOf(head, head.length + 8);
        body[head.length + 2] = (byte) 0x80;
        body[head.length + 3] = 0x3f;
        Tensor t = TensorJson.parseInferRequest(body, head.length, null).inputs().get("x");
        assertArrayEquals(new double[] {1, 0}, t.toDoubles());
        body[head.length + 7] = 0x40; // the tensor is a view of the body: no copy was made
        assertArrayEquals(new double[] {1, 2}, t.toDoubles());
    }

    @Test
    void theJsonHeaderIsAsStrictAsAWholeJsonBody() {
        String x = "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT8\",\"parameters\":{\"binary_data_size\":1}}";
        assertTrue(binaryError("{\"inputs\":[" + x + "," + x + "]}", new byte[2]).contains("input 'x' is given twice"));
        assertTrue(binaryError("{\"inputs\":[" + x + "]}{}", new byte[1]).contains("trailing content"));
        assertTrue(binaryError("{\"inputs\":[" + x + "],\"inputs\":[]}", new byte[1]).contains("Duplicate field"));
        String ragged = "{\"name\":\"r\",\"shape\":[4],\"datatype\":\"FP32\",\"data\":[[1],[2,3,4]]}";
        assertTrue(binaryError("{\"inputs\":[" + x + "," + ragged + "]}", new byte[1]).contains("ragged"));
        String huge = "{\"name\":\"h\",\"shape\":[1],\"datatype\":\"UINT8\",\"data\":[256]}";
        assertTrue(binaryError("{\"inputs\":[" + huge + "," + x + "]}", new byte[1]).contains("outside the datatype's range"));
        assertTrue(binaryError("{\"inputs\":[" + x.replace(":1}}", ":-1}}") + "]}", new byte[0]).contains(">= 0"));
    }

    @Test
    void bytesAsJsonStringsInAnyFieldOrderAndBase64ForTheImageInput() {
        Tensor t = parse("{\"inputs\":[{\"data\":[[\"a\"],[\"\u00e9\"]],\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[2,1]}]}");
        assertEquals("a", new String(t.bytesElements().get(0), StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9}, t.bytesElements().get(1));
        byte[] body = "{\"inputs\":[{\"name\":\"img\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"AAEC/w==\"]}]}"
                .getBytes(StandardCharsets.UTF_8);
        Tensor img = TensorJson.parseInferRequest(body, body.length, "img").inputs().get("img");
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, img.bytesElements().get(0));
        String count = error("{\"inputs\":[{\"name\":\"s\",\"shape\":[3],\"datatype\":\"BYTES\",\"data\":[\"a\"]}]}");
        assertTrue(count.contains("(3 values) but 1 values"), count);
        Tensor bf = parse("{\"inputs\":[{\"name\":\"b\",\"shape\":[2],\"datatype\":\"BF16\",\"data\":[1.0,-2.5]}]}");
        assertArrayEquals(new double[] {1, -2.5}, bf.toDoubles());
    }
}
