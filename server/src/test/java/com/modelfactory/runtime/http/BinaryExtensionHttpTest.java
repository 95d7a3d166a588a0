package com.modelfactory.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary tensor data extension on the wire, byte for byte, with the worked examples of
 * PROTOCOLS.md a.11 and a.6, every datatype, and every inconsistency a client can send.
 */
class BinaryExtensionHttpTest {
    static final String HEADER = "Inference-Header-Content-Length";
    static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @TempDir
    static Path tmp;
    private static FakeServer mymodel;
    private static FakeServer mixed;
    private static FakeServer types;

    /** Every datatype, three elements each, as an input of the echo model. */
    static final DataType[] ALL = DataType.values();

    @BeforeAll
    static void start() throws Exception {
        // a.11: OUTPUT0 = 2 - 1.5 * INPUT0, so [1, 2] gives [0.5, -1.0] exactly
        Signature s = new Signature(List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {1, 2})),
                List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {1, 2})), false, 0);
        mymodel = new FakeServer("mymodel", new FunctionModel(s, in -> {
            float[] x = in.get("INPUT0").toFloats();
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = 2 - 1.5f * x[i];
            }
            return Map.of("OUTPUT0", Tensor.ofFloats(new long[] {1, 2}, y));
        }), 1 << 20, tmp.resolve("a"));
        mixed = new FakeServer("mixed", FunctionModel.echo(List.of(new TensorSpec("A", DataType.INT32, new long[] {2}),
                new TensorSpec("B", DataType.BYTES, new long[] {2}))), 1 << 20, tmp.resolve("b"));
        List<TensorSpec> specs = new ArrayList<>();
        for (DataType t : ALL) {
            specs.add(new TensorSpec(t.name(), t, new long[] {3}));
        }
        types = new FakeServer("types", FunctionModel.echo(specs), 1 << 20, tmp.resolve("c"));
    }

    @AfterAll
    static void stop() {
        for (FakeServer s : new FakeServer[] {mymodel, mixed, types}) {
            if (s != null) {
                s.close();
            }
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] hex(String s) {
        return s.isBlank() ? new byte[0] : HEX.parseHex(s);
    }

    static String head(HttpResponse<byte[]> r) {
        int n = Integer.parseInt(r.headers().firstValue(HEADER).orElseThrow());
        return new String(r.body(), 0, n, StandardCharsets.UTF_8);
    }

    static byte[] tail(HttpResponse<byte[]> r) {
        int n = Integer.parseInt(r.headers().firstValue(HEADER).orElseThrow());
        return Arrays.copyOfRange(r.body(), n, r.body().length);
    }

    /** The request JSON with more top-level fields. */
    static String withFields(String json, String fields) {
        return json.substring(0, json.length() - 1) + "," + fields + "}";
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static void assertError(HttpResponse<byte[]> r, int status, String... fragments) {
        assertEquals(status, r.statusCode(), text(r));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), "exactly, as KServe's client wants");
        String error = new JsonObject(text(r)).getString("error");
        for (String f : fragments) {
            assertTrue(error.contains(f), "'" + f + "' in " + error);
        }
    }

    static final String A11_REQUEST = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,2],\"datatype\":\"FP32\","
            + "\"parameters\":{\"binary_data_size\":8}}],\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":true}}]}";
    static final String A11_RESPONSE = "{\"model_name\":\"mymodel\",\"model_version\":\"1\",\"outputs\":[{\"name\":"
            + "\"OUTPUT0\",\"datatype\":\"FP32\",\"shape\":[1,2],\"parameters\":{\"binary_data_size\":8}}]}";

    @Test
    void workedExampleA11ByteForByte() throws Exception {
        byte[] json = A11_REQUEST.getBytes(StandardCharsets.UTF_8);
        assertEquals(163, json.length);
        assertEquals("74 72 75 65 7d 7d 5d 7d", HEX.formatHex(Arrays.copyOfRange(json, 155, 163)));
        byte[] body = concat(json, hex("00 00 80 3f 00 00 00 40"));
        assertEquals(171, body.length);

        HttpResponse<byte[]> r = mymodel.post("/v2/models/mymodel/infer", body,
                "Content-Type", "application/octet-stream", HEADER, "163");
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
        String head = head(r);
        // The request had no id: the response carries a new one, and is otherwise Triton's 143 bytes.
        String id = new JsonObject(head).getString("id");
        UUID.fromString(id);
        String withoutId = head.replace("\"id\":\"" + id + "\",", "");
        assertEquals(A11_RESPONSE, withoutId);
        assertEquals(143, withoutId.length());
        assertEquals("00 00 00 3f 00 00 80 bf", HEX.formatHex(tail(r)));
        assertEquals(head.length() + 8, r.body().length);

        // With an id it is echoed, and the JSON is the example with that one field more.
        byte[] withId = A11_REQUEST.replaceFirst("\\{", "{\"id\":\"req-1\",").getBytes(StandardCharsets.UTF_8);
        r = mymodel.post("/v2/models/mymodel/versions/1/infer", concat(withId, hex("00 00 80 3f 00 00 00 40")),
                HEADER, Integer.toString(withId.length));
        assertEquals(A11_RESPONSE.replace("\"outputs\"", "\"id\":\"req-1\",\"outputs\""), head(r));

        // curl --data-binary's default Content-Type: the body is still taken as it is, not as a form
        byte[] percent = A11_REQUEST.replaceFirst("\\{", "{\"id\":\"100%zz\",").getBytes(StandardCharsets.UTF_8);
        r = mymodel.post("/v2/models/mymodel/infer", concat(percent, hex("00 00 80 3f 00 00 00 40")),
                "Content-Type", "application/x-www-form-urlencoded", HEADER, Integer.toString(percent.length));
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("100%zz", new JsonObject(head(r)).getString("id"));
    }

    static final String A6_REQUEST = "{\"inputs\":[{\"name\":\"A\",\"shape\":[2],\"datatype\":\"INT32\",\"data\":[7,8]},"
            + "{\"name\":\"B\",\"shape\":[2],\"datatype\":\"BYTES\",\"parameters\":{\"binary_data_size\":10}}]}";

    @Test
    void workedExampleA6MixesJsonAndBinaryInputsAndOutputs() throws Exception {
        byte[] json = A6_REQUEST.getBytes(StandardCharsets.UTF_8);
        assertEquals(150, json.length);
        byte[] body = concat(json, hex("02 00 00 00 61 62 00 00 00 00"));
        assertEquals(160, body.length);
        HttpResponse<byte[]> r = mixed.post("/v2/models/mixed/infer", body, HEADER, "150");
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), "no binary output");
        assertFalse(r.headers().firstValue(HEADER).isPresent());
        JsonArray outs = new JsonObject(text(r)).getJsonArray("outputs");
        assertEquals(List.of(7, 8), outs.getJsonObject(0).getJsonArray("data").getList());
        assertEquals(List.of("ab", ""), outs.getJsonObject(1).getJsonArray("data").getList());

        // binary_data_output: every output binary, sections in the order of the response's outputs
        byte[] all = withFields(A6_REQUEST, "\"parameters\":{\"binary_data_output\":true}").getBytes(StandardCharsets.UTF_8);
        r = mixed.post("/v2/models/mixed/infer", concat(all, hex("02 00 00 00 61 62 00 00 00 00")),
                HEADER, Integer.toString(all.length));
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("07 00 00 00 08 00 00 00 02 00 00 00 61 62 00 00 00 00", HEX.formatHex(tail(r)));
        JsonArray h = new JsonObject(head(r)).getJsonArray("outputs");
        assertEquals(8, h.getJsonObject(0).getJsonObject("parameters").getInteger("binary_data_size"));
        assertEquals(10, h.getJsonObject(1).getJsonObject("parameters").getInteger("binary_data_size"));
        assertFalse(h.getJsonObject(0).containsKey("data"));

        // A named output follows its own binary_data, not binary_data_output; the order is the request's.
        byte[] some = withFields(A6_REQUEST, "\"parameters\":{\"binary_data_output\":true},\"outputs\":["
                + "{\"name\":\"out_B\",\"parameters\":{\"binary_data\":true}},{\"name\":\"out_A\"}]").getBytes(StandardCharsets.UTF_8);
        r = mixed.post("/v2/models/mixed/infer", concat(some, hex("02 00 00 00 61 62 00 00 00 00")),
                HEADER, Integer.toString(some.length));
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("02 00 00 00 61 62 00 00 00 00", HEX.formatHex(tail(r)));
        h = new JsonObject(head(r)).getJsonArray("outputs");
        assertEquals("out_B", h.getJsonObject(0).getString("name"));
        assertEquals(List.of(7, 8), h.getJsonObject(1).getJsonArray("data").getList());
    }

    /** Three elements of each datatype in the binary layout (PROTOCOLS.md a.4 for BOOL, FP16, BF16, BYTES). */
    static byte[] section(DataType t) {
        return switch (t) {
            case BOOL -> hex("01 00 01");
            case FP16 -> hex("00 3c 00 c1 01 7c"); // 1.0, -2.5, a NaN payload
            case BF16 -> hex("80 3f 20 c0 c1 ff");
            case BYTES -> hex("02 00 00 00 61 62 00 00 00 00 03 00 00 00 ff 00 fe");
            default -> {
                byte[] b = new byte[3 * t.byteSize()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (0x91 + 37 * i + t.ordinal());
                }
                yield b;
            }
        };
    }

    @Test
    void everyDatatypeRoundTripsBitForBitInBinary() throws Exception {
        StringBuilder json = new StringBuilder("{\"inputs\":[");
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        for (DataType t : ALL) {
            byte[] s = section(t);
            json.append(t.ordinal() == 0 ? "" : ",").append("{\"name\":\"").append(t).append("\",\"shape\":[3],\"datatype\":\"")
                    .append(t).append("\",\"parameters\":{\"binary_data_size\":").append(s.length).append("}}");
            tail.writeBytes(s);
        }
        byte[] head = json.append("],\"parameters\":{\"binary_data_output\":true}}").toString().getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = types.post("/v2/models/types/infer", concat(head, tail.toByteArray()),
                HEADER, Integer.toString(head.length));
        assertEquals(200, r.statusCode(), text(r));
        assertEquals(HEX.formatHex(tail.toByteArray()), HEX.formatHex(tail(r)), "every section comes back as sent");
        JsonArray outs = new JsonObject(head(r)).getJsonArray("outputs");
        for (int i = 0; i < ALL.length; i++) {
            JsonObject o = outs.getJsonObject(i);
            assertEquals("out_" + ALL[i], o.getString("name"));
            assertEquals(ALL[i].name(), o.getString("datatype"));
            assertEquals(section(ALL[i]).length, o.getJsonObject("parameters").getInteger("binary_data_size"));
        }
    }

    @Test
    void jsonValuesOfEveryDatatypeBecomeTheBinaryEncoding() throws Exception {
        Map<DataType, String> data = new java.util.LinkedHashMap<>();
        data.put(DataType.BOOL, "[true,false,true]");
        data.put(DataType.UINT8, "[0,255,7]");
        data.put(DataType.UINT16, "[0,65535,7]");
        data.put(DataType.UINT32, "[0,4294967295,7]");
        data.put(DataType.UINT64, "[0,18446744073709551615,7]");
        data.put(DataType.INT8, "[-128,127,-1]");
        data.put(DataType.INT16, "[-32768,32767,-1]");
        data.put(DataType.INT32, "[-2147483648,2147483647,-1]");
        data.put(DataType.INT64, "[-9223372036854775808,9223372036854775807,-1]");
        data.put(DataType.FP16, "[1.0,-2.5,0.5]");
        data.put(DataType.BF16, "[1.0,-2.5,0.5]");
        data.put(DataType.FP32, "[1.0,-2.5,0.5]");
        data.put(DataType.FP64, "[1.0,-2.5,0.5]");
        data.put(DataType.BYTES, "[\"ab\",\"\",\"\u00e9\"]");
        StringBuilder json = new StringBuilder("{\"inputs\":[");
        for (Map.Entry<DataType, String> e : data.entrySet()) {
            json.append(json.length() > 11 ? "," : "").append("{\"name\":\"").append(e.getKey()).append("\",\"shape\":[3],")
                    .append("\"datatype\":\"").append(e.getKey()).append("\",\"data\":").append(e.getValue()).append("}");
        }
        byte[] body = json.append("],\"parameters\":{\"binary_data_output\":true}}").toString().getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = types.post("/v2/models/types/infer", body);
        assertEquals(200, r.statusCode(), text(r));
        // sections come in signature order (the DataType enum's), not the order of the map above
        StringBuilder want = new StringBuilder();
        JsonArray outs = new JsonObject(head(r)).getJsonArray("outputs");
        byte[] t = tail(r);
        int at = 0;
        Map<String, String> got = new java.util.HashMap<>();
        for (int i = 0; i < outs.size(); i++) {
            JsonObject o = outs.getJsonObject(i);
            int n = o.getJsonObject("parameters").getInteger("binary_data_size");
            got.put(o.getString("datatype"), HEX.formatHex(Arrays.copyOfRange(t, at, at + n)));
            at += n;
        }
        assertEquals(t.length, at);
        String[] each = {"01 00 01", "00 ff 07", "00 00 ff ff 07 00", "00 00 00 00 ff ff ff ff 07 00 00 00",
                "00 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff 07 00 00 00 00 00 00 00", "80 7f ff",
                "00 80 ff 7f ff ff", "00 00 00 80 ff ff ff 7f ff ff ff ff",
                "00 00 00 00 00 00 00 80 ff ff ff ff ff ff ff 7f ff ff ff ff ff ff ff ff",
                "00 3c 00 c1 00 38", "80 3f 20 c0 00 3f", "00 00 80 3f 00 00 20 c0 00 00 00 3f",
                "00 00 00 00 00 00 f0 3f 00 00 00 00 00 00 04 c0 00 00 00 00 00 00 e0 3f",
                "02 00 00 00 61 62 00 00 00 00 02 00 00 00 c3 a9"};
        int k = 0;
        for (DataType type : data.keySet()) {
            want.append(type).append('=').append(each[k++]).append('\n');
        }
        StringBuilder have = new StringBuilder();
        for (DataType type : data.keySet()) {
            have.append(type).append('=').append(got.get(type.name())).append('\n');
        }
        assertEquals(want.toString(), have.toString());

        // and back: the JSON response of the same request (no binary outputs) holds the values given
        byte[] plain = new String(body, StandardCharsets.UTF_8).replace(",\"parameters\":{\"binary_data_output\":true}", "")
                .getBytes(StandardCharsets.UTF_8);
        JsonArray json2 = new JsonObject(text(types.post("/v2/models/types/infer", plain))).getJsonArray("outputs");
        for (int i = 0; i < json2.size(); i++) {
            JsonObject o = json2.getJsonObject(i);
            DataType type = DataType.valueOf(o.getString("datatype"));
            assertEquals(new JsonArray(data.get(type)).encode(), o.getJsonArray("data").encode(), type.name());
        }
    }

    @Test
    void inconsistentSizesAre400NamingTheInput() throws Exception {
        String json = A11_REQUEST;
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        String len = Integer.toString(j.length);
        byte[] seven = json.replace("\"binary_data_size\":8", "\"binary_data_size\":7").getBytes(StandardCharsets.UTF_8);
        assertError(mymodel.post("/v2/models/mymodel/infer", concat(seven, new byte[7]), HEADER, len),
                400, "'INPUT0'", "binary_data_size 7", "8 bytes");
        assertError(mymodel.post("/v2/models/mymodel/infer", concat(j, new byte[4]), HEADER, len),
                400, "unexpected size for input 'INPUT0', expecting 8 additional bytes");
        assertError(mymodel.post("/v2/models/mymodel/infer", concat(j, new byte[12]), HEADER, len),
                400, "unexpected additional input data", "4 bytes");
        assertError(mymodel.post("/v2/models/mymodel/infer", concat(j, new byte[8])), 400, "INPUT0",
                "Inference-Header-Content-Length");
        assertError(mymodel.post("/v2/models/mymodel/infer", concat(j, new byte[8]), HEADER, "999"),
                400, "Inference-Header-Content-Length", "171");
        assertError(mymodel.post("/v2/models/mymodel/infer", concat(j, new byte[8]), HEADER, "x"),
                400, "Inference-Header-Content-Length");
        byte[] both = json.replace("\"parameters\":{\"binary_data_size\":8}", "\"data\":[1,2],\"parameters\":{\"binary_data_size\":8}")
                .getBytes(StandardCharsets.UTF_8);
        assertError(mymodel.post("/v2/models/mymodel/infer", concat(both, new byte[8]), HEADER, Integer.toString(both.length)),
                400, "input 'INPUT0' must set exactly one of \"data\" and \"binary_data_size\"");
        byte[] neither = json.replace(",\"parameters\":{\"binary_data_size\":8}", "").getBytes(StandardCharsets.UTF_8);
        assertError(mymodel.post("/v2/models/mymodel/infer", neither), 400, "'INPUT0'", "exactly one");
        byte[] a6 = A6_REQUEST.getBytes(StandardCharsets.UTF_8);
        assertError(mixed.post("/v2/models/mixed/infer", concat(a6, hex("05 00 00 00 61 62 00 00 00 00")), HEADER, "150"),
                400, "input 'B'", "BYTES tensor [2]: element 1");
        assertError(mixed.post("/v2/models/mixed/infer", concat(a6, hex("02 00 00 00 61 62 00 00 00 00")), HEADER, "150",
                "Content-Encoding", "br"), 415, "Content-Encoding");
        // still serving
        assertEquals(200, mymodel.post("/v2/models/mymodel/infer", concat(j, hex("00 00 80 3f 00 00 00 40")),
                HEADER, len).statusCode());
    }

    @Test
    void rawBinaryRequestIsTheOnlyInputAndAnswersBinary() throws Exception {
        HttpResponse<byte[]> r = mymodel.post("/v2/models/mymodel/infer", hex("00 00 80 3f 00 00 00 40"), HEADER, "0");
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("00 00 00 3f 00 00 80 bf", HEX.formatHex(tail(r)));
        assertError(mixed.post("/v2/models/mixed/infer", hex("00 00 80 3f"), HEADER, "0"), 400, "exactly one input");
    }

    @Test
    void bytesStringsInJsonAndNonTextOutputsAskForBinary() throws Exception {
        String body = "{\"id\":\"s\",\"inputs\":[{\"name\":\"A\",\"shape\":[2],\"datatype\":\"INT32\",\"data\":[[1],[2]]},"
                + "{\"name\":\"B\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"h\u00e9llo\",\"\\u0000x\"]}]}";
        HttpResponse<byte[]> r = mixed.post("/v2/models/mixed/infer", body.getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), text(r));
        JsonObject out = new JsonObject(text(r)).getJsonArray("outputs").getJsonObject(1);
        assertEquals(List.of("h\u00e9llo", "\u0000x"), out.getJsonArray("data").getList());
        // bytes that are not UTF-8 cannot be JSON strings: the client is told to ask for binary
        byte[] a6 = A6_REQUEST.getBytes(StandardCharsets.UTF_8);
        assertError(mixed.post("/v2/models/mixed/infer", concat(a6, hex("02 00 00 00 ff fe 00 00 00 00")), HEADER, "150"),
                400, "output 'out_B'", "binary_data");
    }
}
