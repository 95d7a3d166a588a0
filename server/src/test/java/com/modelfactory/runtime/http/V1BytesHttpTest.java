package com.modelfactory.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.TensorSpec;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TF Serving rows and columns with several inputs and outputs, BYTES values as strings and {"b64"}. */
class V1BytesHttpTest {
    @TempDir
    static Path tmp;
    private static FakeServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new FakeServer("strings", FunctionModel.echo(List.of(new TensorSpec("A", DataType.INT32, new long[] {2}),
                new TensorSpec("B", DataType.BYTES, new long[] {2}), new TensorSpec("raw_bytes", DataType.BYTES,
                new long[] {2}))), 1 << 20, tmp);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static JsonObject predict(String body) throws Exception {
        HttpResponse<byte[]> r = server.post("/v1/models/strings:predict", body.getBytes(StandardCharsets.UTF_8));
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(200, r.statusCode(), text);
        return new JsonObject(text);
    }

    @Test
    void rowsGivePerRowObjectsAndColumnsGiveTensors() throws Exception {
        JsonObject rows = predict("{\"instances\":[{\"A\":7,\"B\":\"ab\",\"raw_bytes\":{\"b64\":\"/w==\"}},"
                + "{\"A\":8,\"B\":{\"b64\":\"\"},\"raw_bytes\":\"x\"}]}");
        assertEquals(new JsonObject("{\"predictions\":[{\"out_A\":7,\"out_B\":\"ab\",\"out_raw_bytes\":{\"b64\":\"/w==\"}},"
                + "{\"out_A\":8,\"out_B\":\"\",\"out_raw_bytes\":{\"b64\":\"eA==\"}}]}"), rows,
                "*_bytes outputs are base64, like TF Serving's; non-UTF-8 bytes too");
        JsonObject columns = predict("{\"inputs\":{\"A\":[7,8],\"B\":[{\"b64\":\"YWI=\"},\"\"],\"raw_bytes\":[\"p\",\"q\"]}}");
        assertEquals(new JsonObject("{\"outputs\":{\"out_A\":[7,8],\"out_B\":[\"ab\",\"\"],"
                + "\"out_raw_bytes\":[{\"b64\":\"cA==\"},{\"b64\":\"cQ==\"}]}}"), columns);
        HttpResponse<byte[]> bad = server.post("/v1/models/strings:predict",
                "{\"inputs\":{\"A\":[\"x\",\"y\"],\"B\":[\"a\",\"b\"],\"raw_bytes\":[\"p\",\"q\"]}}".getBytes());
        BinaryExtensionHttpTest.assertError(bad, 400, "input 'A'");
        BinaryExtensionHttpTest.assertError(server.post("/v1/models/strings:predict",
                "{\"inputs\":{\"A\":[7,8],\"B\":[1,2],\"raw_bytes\":[\"p\",\"q\"]}}".getBytes()), 400, "input 'B' is BYTES");
        BinaryExtensionHttpTest.assertError(server.post("/v1/models/strings:predict",
                "{\"inputs\":{\"A\":[7,8]}}".getBytes()), 400, "no value for input 'B'");
    }
}
