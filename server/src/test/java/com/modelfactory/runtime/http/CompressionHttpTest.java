package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.http.BinaryExtensionHttpTest.A11_REQUEST;
import static com.modelfactory.runtime.http.BinaryExtensionHttpTest.HEADER;
import static com.modelfactory.runtime.http.BinaryExtensionHttpTest.HEX;
import static com.modelfactory.runtime.http.BinaryExtensionHttpTest.assertError;
import static com.modelfactory.runtime.http.BinaryExtensionHttpTest.concat;
import static com.modelfactory.runtime.http.BinaryExtensionHttpTest.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compressed request bodies (gzip, and deflate = zlib as tritonclient sends it) are inflated with the
 * body limit on the inflated size; responses are compressed when Accept-Encoding asks.
 */
class CompressionHttpTest {
    private static final int LIMIT = 1 << 20;
    @TempDir
    static Path tmp;
    private static FakeServer server;

    @BeforeAll
    static void start() throws Exception {
        Signature s = new Signature(List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {1, 2})),
                List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {1, 2})), false, 0);
        server = new FakeServer("mymodel", new FunctionModel(s, in -> java.util.Map.of("OUTPUT0",
                FunctionModel.copy(in.get("INPUT0")))), LIMIT, tmp);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    /** zlib.compress: the zlib wrapper, or with {@code raw} a bare deflate stream. */
    static byte[] deflate(byte[] b, boolean raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
            z.write(b);
        }
        return out.toByteArray();
    }

    static byte[] decode(HttpResponse<byte[]> r) throws IOException {
        String coding = r.headers().firstValue("Content-Encoding").orElse("identity");
        InputStream in = switch (coding) {
            case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(r.body()));
            case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(r.body()));
            default -> new ByteArrayInputStream(r.body());
        };
        return in.readAllBytes();
    }

    @Test
    void compressedBinaryRequestAndResponseRoundTrip() throws Exception {
        byte[] json = A11_REQUEST.getBytes(StandardCharsets.UTF_8);
        byte[] body = concat(json, hex("00 00 80 3f 00 00 00 40"));
        for (String coding : new String[] {"gzip", "deflate"}) {
            byte[] sent = coding.equals("gzip") ? gzip(body) : deflate(body, false);
            // The header counts the uncompressed JSON, in the request and in the response.
            HttpResponse<byte[]> r = server.post("/v2/models/mymodel/infer", sent, "Content-Encoding", coding,
                    "Accept-Encoding", coding, HEADER, Integer.toString(json.length));
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.ISO_8859_1));
            assertEquals(coding, r.headers().firstValue("Content-Encoding").orElse(""));
            byte[] plain = decode(r);
            int head = Integer.parseInt(r.headers().firstValue(HEADER).orElseThrow());
            assertEquals("00 00 80 3f 00 00 00 40", HEX.formatHex(Arrays.copyOfRange(plain, head, plain.length)));
            assertEquals("OUTPUT0", new JsonObject(new String(plain, 0, head, StandardCharsets.UTF_8))
                    .getJsonArray("outputs").getJsonObject(0).getString("name"));
        }
        // a raw deflate stream (what some HTTP clients send as "deflate") is accepted too
        HttpResponse<byte[]> r = server.post("/v2/models/mymodel/infer", deflate(body, true), "Content-Encoding", "deflate",
                HEADER, Integer.toString(json.length));
        assertEquals(200, r.statusCode());
    }

    @Test
    void jsonRequestsCompressedAndAcceptEncodingWeights() throws Exception {
        byte[] json = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}"
                .getBytes(StandardCharsets.UTF_8);
        String[][] cases = {{"gzip;q=0.5, deflate;q=0.8", "deflate"}, {"identity, gzip", "identity"},
            {"br, gzip", "gzip"}, {"gzip;q=0", "identity"}, {"*", "identity"}, {"deflate;q=x, gzip", "gzip"}};
        for (String[] c : cases) {
            HttpResponse<byte[]> r = server.post("/v2/models/mymodel/infer", gzip(json), "Content-Encoding", "gzip",
                    "Accept-Encoding", c[0]);
            assertEquals(200, r.statusCode(), c[0]);
            assertEquals(c[1], r.headers().firstValue("Content-Encoding").orElse("identity"), c[0]);
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
            JsonObject body = new JsonObject(new String(decode(r), StandardCharsets.UTF_8));
            assertEquals(List.of(1.0, 2.0), body.getJsonArray("outputs").getJsonObject(0).getJsonArray("data").getList());
        }
    }

    @Test
    void aGzipBombIs413AndTheServerKeepsServing() throws Exception {
        // 64 MiB of zeros in about 64 KB: the limit (1 MiB) applies to what it inflates to.
        byte[] zeros = new byte[1 << 20];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            for (int i = 0; i < 64; i++) {
                z.write(zeros);
            }
        }
        byte[] bomb = out.toByteArray();
        assertTrue(bomb.length < LIMIT / 4, bomb.length + " bytes");
        assertError(server.post("/v2/models/mymodel/infer", bomb, "Content-Encoding", "gzip"), 413,
                "inflated", "1048576");
        assertError(server.post("/v1/models/mymodel:predict", bomb, "Content-Encoding", "gzip"), 413, "inflated");
        assertError(server.post("/predict", bomb, "Content-Encoding", "gzip", "Content-Type", "image/png"), 413, "inflated");
        // just under the limit inflates and is then judged as JSON
        byte[] under = gzip(new byte[LIMIT - 1]);
        assertError(server.post("/v2/models/mymodel/infer", under, "Content-Encoding", "gzip"), 400, "JSON");
        HttpResponse<byte[]> ok = server.post("/v2/models/mymodel/infer",
                "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}".getBytes());
        assertEquals(200, ok.statusCode());
    }

    @Test
    void corruptAndUnknownCodingsAreRefused() throws Exception {
        byte[] gz = gzip("{\"inputs\":[]}".getBytes(StandardCharsets.UTF_8));
        assertError(server.post("/v2/models/mymodel/infer", Arrays.copyOf(gz, gz.length - 6), "Content-Encoding", "gzip"),
                400, "gzip request body is corrupt or truncated");
        assertError(server.post("/v2/models/mymodel/infer", "{}".getBytes(), "Content-Encoding", "gzip"), 400, "gzip");
        HttpResponse<byte[]> r = server.post("/v2/models/mymodel/infer", gz, "Content-Encoding", "compress");
        assertError(r, 415, "Content-Encoding 'compress'");
        assertEquals("gzip, deflate", r.headers().firstValue("Accept-Encoding").orElse(""));
        assertFalse(r.headers().firstValue("Content-Encoding").isPresent());
    }
}
