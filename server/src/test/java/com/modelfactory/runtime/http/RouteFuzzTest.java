package com.modelfactory.runtime.http;

import static com.modelfactory.runtime.testing.TestRuntime.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.testing.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of every route through the real server and model: random and near-valid
 * JSON, tensors, legacy, TF Serving and BYTES bodies, binary-extension bodies with right and wrong
 * sizes, compressed bodies (cut, or inflating past the limit), multipart and mutated images, with any
 * method and content type, on every route. The server must never answer 5xx, every error must be a JSON
 * {"error": ...} with Content-Type exactly application/json, and it must keep serving.
 */
class RouteFuzzTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String VALID_INFER = validInfer();
    private static TestRuntime rt;
    private static byte[] png;

    /** A body and the headers that go with it (binary tensor framing, content coding). */
    record Payload(byte[] body, List<String> headers) {
        static Payload plain(byte[] body) {
            return new Payload(body, List.of());
        }
    }

    /** One generated request. */
    record Call(String method, String path, String contentType, Payload payload) {
        byte[] body() {
            return payload.body();
        }

        @Override
        public String toString() {
            byte[] body = body();
            String shown = new String(body, 0, Math.min(body.length, 200), StandardCharsets.ISO_8859_1);
            return method + " " + path + " [" + contentType + "] " + payload.headers() + " " + body.length + " bytes: " + shown;
        }
    }

    @BeforeContainer
    static void start() throws Exception {
        rt = TestRuntime.start("--model", fixture("onnx/tiny_cnn/model.onnx").toString(), "--max-body-bytes", "1000000");
        png = Files.readAllBytes(fixture("images/cat32.png"));
    }

    @AfterContainer
    static void stop() throws Exception {
        HttpResponse<String> r = rt.post("/predict", "image/png", png);
        assertEquals(200, r.statusCode(), "the server must still serve after the fuzzing: " + r.body());
        rt.close();
    }

    @Property(tries = 10_000, shrinking = ShrinkingMode.BOUNDED)
    void noRequestGetsA5xxAndEveryErrorIsJson(@ForAll("calls") Call call) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.server().port() + call.path()))
                .timeout(Duration.ofSeconds(30))
                .method(call.method(), call.method().equals("HEAD") || call.method().equals("GET")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        if (!call.contentType().isEmpty()) {
            b.header("Content-Type", call.contentType());
        }
        List<String> headers = call.payload().headers();
        for (int i = 0; i < headers.size(); i += 2) {
            b.header(headers.get(i), headers.get(i + 1));
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 500, r.statusCode() + " " + r.body() + " for " + call);
        if (r.statusCode() >= 400 && !call.method().equals("HEAD")) {
            // exactly: KServe's client reads the error only when the Content-Type is equal to this
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), call.toString());
            String error = new JsonObject(r.body()).getString("error");
            assertFalse(error == null || error.isBlank(), r.body());
        }
    }

    @Provide
    Arbitrary<Call> calls() {
        Arbitrary<String> method = Arbitraries.frequency(List.of(
                net.jqwik.api.Tuple.of(8, "POST"), net.jqwik.api.Tuple.of(2, "GET"), net.jqwik.api.Tuple.of(1, "PUT"),
                net.jqwik.api.Tuple.of(1, "DELETE"), net.jqwik.api.Tuple.of(1, "HEAD"), net.jqwik.api.Tuple.of(1, "PATCH")))
                .map(t -> (String) t);
        return Combinators.combine(method, paths(), contentTypes(), payloads()).as(Call::new);
    }

    private static Arbitrary<String> paths() {
        Arbitrary<String> known = Arbitraries.of("/predict", "/predict?top_k=3", "/predict?top_k=-1", "/predict?top_k=x",
                "/v2/models/" + "model" + "/infer", "/v2/models/model/versions/1/infer",
                "/v2/models/model/versions/7/infer", "/v2/models/model", "/v2/models/model/ready", "/v2",
                "/v2/health/ready", "/model", "/metrics", "/health/live", "/v2/models/other/infer", "/",
                "/v2/models/model/config", "/v2/models/model/versions/1/stats", "/v2/models/stats", "/v2/repository/index",
                "/v2/repository/models/model/load", "/v2/repository/models/model/unload", "/v1/models/model:predict",
                "/v1/models/model/versions/1:predict", "/v1/models/model/versions/x:predict", "/v1/models/model",
                "/v1/models/model/metadata", "/v1/models", "/v1/models/model/labels/a:predict", "/v1/models/model:regress");
        Arbitrary<String> odd = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(40)
                .map(s -> "/" + URLish.encode(s));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, known), net.jqwik.api.Tuple.of(1, odd))
                .map(p -> p.replace("/model/", "/" + modelName() + "/").replace("/models/model", "/models/" + modelName()));
    }

    private static String modelName() {
        return rt == null ? "model" : rt.name();
    }

    private static Arbitrary<String> contentTypes() {
        return Arbitraries.of("application/json", "image/png", "image/jpeg", "application/octet-stream",
                "multipart/form-data; boundary=FuzzB", "application/x-www-form-urlencoded", "text/plain", "",
                "application/json; charset=utf-16", "multipart/form-data", "image/");
    }

    /**
     * Plain bodies, binary-extension bodies with their Inference-Header-Content-Length (right, or off),
     * stray such headers, and compressed bodies (gzip, deflate, cut, or inflating past the body limit).
     */
    private static Arbitrary<Payload> payloads() {
        Arbitrary<Payload> plain = bodies().map(Payload::plain);
        Arbitrary<Payload> strayHeader = Combinators.combine(bodies(), Arbitraries.of("0", "-1", "5", "x", "99999999", ""))
                .as((b, h) -> new Payload(b, List.of(BinaryExtensionHttpTest.HEADER, h)));
        Arbitrary<Payload> compressed = Combinators.combine(bodies(), Arbitraries.of("gzip", "deflate", "br", "identity"),
                Arbitraries.integers().between(0, 20), Arbitraries.of(true, false)).as((b, coding, cut, accept) -> {
                    byte[] z = compress(b, coding);
                    z = cut == 0 ? Arrays.copyOf(z, z.length / 2) : z;
                    return new Payload(z, accept ? List.of("Content-Encoding", coding, "Accept-Encoding", "gzip")
                            : List.of("Content-Encoding", coding));
                });
        Arbitrary<Payload> bomb = Arbitraries.just(new Payload(compress(new byte[3_000_000], "gzip"),
                List.of("Content-Encoding", "gzip")));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(10, plain), net.jqwik.api.Tuple.of(4, binaryInfer()),
                net.jqwik.api.Tuple.of(1, strayHeader), net.jqwik.api.Tuple.of(2, compressed),
                net.jqwik.api.Tuple.of(1, bomb));
    }

    /** A binary-extension request for the model (pixels, or the PNG as a BYTES tensor), sizes sometimes wrong. */
    private static Arbitrary<Payload> binaryInfer() {
        Arbitrary<Integer> delta = Arbitraries.frequency(net.jqwik.api.Tuple.of(6, 0), net.jqwik.api.Tuple.of(1, -1),
                net.jqwik.api.Tuple.of(1, 3), net.jqwik.api.Tuple.of(1, -4));
        Arbitrary<String> type = Arbitraries.of("FP32", "BYTES", "FP16", "UINT8", "BOOL");
        return Combinators.combine(type, delta, delta, mutatedImage(), Arbitraries.of(true, false)).as((t, sizeOff, headOff, img, bin) -> {
            byte[] tail;
            String shape;
            if (t.equals("BYTES")) {
                tail = java.nio.ByteBuffer.allocate(4 + img.length).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .putInt(img.length).put(img).array();
                shape = "[1]";
            } else {
                tail = new byte[3 * 32 * 32 * (t.equals("FP32") ? 4 : t.equals("FP16") ? 2 : 1)];
                Arrays.fill(tail, (byte) (img.length & 0x3f));
                shape = "[1,3,32,32]";
            }
            String head = "{\"inputs\":[{\"name\":\"input\",\"shape\":" + shape + ",\"datatype\":\"" + t
                    + "\",\"parameters\":{\"binary_data_size\":" + (tail.length + sizeOff) + "}}],\"outputs\":[{\"name\":"
                    + "\"logits\",\"parameters\":{\"binary_data\":" + bin + "}}]}";
            byte[] h = head.getBytes(StandardCharsets.UTF_8);
            byte[] body = Arrays.copyOf(h, h.length + tail.length);
            System.arraycopy(tail, 0, body, h.length, tail.length);
            return new Payload(body, List.of(BinaryExtensionHttpTest.HEADER, Integer.toString(h.length + headOff)));
        });
    }

    private static byte[] compress(byte[] b, String coding) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (java.io.OutputStream z = coding.equals("gzip") ? new java.util.zip.GZIPOutputStream(out)
                    : coding.equals("deflate") ? new java.util.zip.DeflaterOutputStream(out) : out) {
                z.write(b);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Arbitrary<byte[]> bodies() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(2048)),
                net.jqwik.api.Tuple.of(4, nearValidJson(VALID_INFER)),
                net.jqwik.api.Tuple.of(3, randomTensorRequest()),
                net.jqwik.api.Tuple.of(2, legacyJson()),
                net.jqwik.api.Tuple.of(2, multipart()),
                net.jqwik.api.Tuple.of(2, mutatedImage()));
    }

    /** A valid request for the model, then cut, spliced or with a value replaced by something odd. */
    private static Arbitrary<byte[]> nearValidJson(String valid) {
        Arbitrary<String> token = Arbitraries.of("1e400", "-1e39", "NaN", "\"NaN\"", "\"x\"", "true", "null", "[]", "{}",
                "[[1],[1,2]]", "-0", "99999999999999999999", "\"inputs\"", ",", "]", "}", "\"\\u0000\"", "0x10");
        Arbitrary<Integer> at = Arbitraries.integers().between(0, valid.length() - 1);
        return Combinators.combine(at, at, token, Arbitraries.integers().between(0, 3)).as((i, j, t, how) -> {
            int a = Math.min(i, j);
            int z = Math.max(i, j);
            String s = switch (how) {
                case 0 -> valid.substring(0, a) + valid.substring(z);
                case 1 -> valid.substring(0, a) + t + valid.substring(a);
                case 2 -> valid.substring(0, a) + t + valid.substring(Math.min(valid.length(), a + 1));
                default -> valid + valid.substring(a, z);
            };
            return s.getBytes(StandardCharsets.UTF_8);
        });
    }

    private static Arbitrary<byte[]> randomTensorRequest() {
        Arbitrary<String> name = Arbitraries.of("input", "x", "", "input\u0000", "logits");
        Arbitrary<String> type = Arbitraries.of("FP32", "FP16", "FP64", "INT8", "UINT8", "INT64", "UINT64", "BOOL",
                "BYTES", "BF16", "fp32", "FLOAT", "");
        Arbitrary<List<Integer>> shape = Arbitraries.integers().between(-2, 40).list().ofMaxSize(5);
        Arbitrary<List<Double>> data = Arbitraries.doubles().between(-1e6, 1e6).list().ofMaxSize(64);
        return Combinators.combine(name, type, shape, data, Arbitraries.of(true, false)).as((n, t, s, d, nest) -> {
            String values = d.toString();
            if (nest && d.size() > 1) {
                values = "[" + d.subList(0, d.size() / 2) + "," + d.subList(d.size() / 2, d.size()) + "]";
            }
            return ("{\"inputs\":[{\"name\":\"" + n + "\",\"shape\":" + s + ",\"datatype\":\"" + t + "\",\"data\":"
                    + values + "}],\"outputs\":[{\"name\":\"logits\"}]}").getBytes(StandardCharsets.UTF_8);
        });
    }

    private static Arbitrary<byte[]> legacyJson() {
        Arbitrary<String> b64 = Arbitraries.bytes().array(byte[].class).ofMaxSize(300)
                .map(x -> Base64.getEncoder().encodeToString(x));
        Arbitrary<String> instances = Arbitraries.doubles().between(-10, 10).list().ofMaxSize(20)
                .list().ofMaxSize(4).map(Object::toString);
        return Arbitraries.oneOf(b64.map(s -> "{\"image\":\"" + s + "\"}"),
                        instances.map(s -> "{\"instances\":" + s + "}"),
                        b64.map(s -> "{\"instances\":[{\"b64\":\"" + s + "\"}]}"),
                        Arbitraries.just("{\"image\":\"" + Base64.getEncoder().encodeToString(pngBytes()) + "\"}"),
                        instances.map(s -> "{\"instances\":[{\"input\":" + s + ",\"nope\":1}]}"),
                        instances.map(s -> "{\"signature_name\":\"serving_default\",\"inputs\":" + s + "}"),
                        instances.map(s -> "{\"inputs\":{\"input\":" + s + "}}"),
                        b64.map(s -> "{\"inputs\":{\"b64\":\"" + s + "\"},\"instances\":[]}"),
                        b64.map(s -> "{\"inputs\":[{\"b64\":\"" + s + "\"},[1]]}"),
                        Arbitraries.just("{\"inputs\":{\"input\":[{\"b64\":\"" + Base64.getEncoder().encodeToString(pngBytes())
                                + "\"}]}}"),
                        b64.map(s -> "{\"inputs\":[{\"name\":\"input\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\""
                                + s + "\"]}]}"))
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    private static Arbitrary<byte[]> multipart() {
        Arbitrary<String> part = Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(8),
                Arbitraries.strings().ofMaxLength(300), Arbitraries.of(true, false)).as((n, v, file) ->
                "--FuzzB\r\nContent-Disposition: form-data; name=\"" + n + "\"" + (file ? "; filename=\"" + n + ".png\"" : "")
                        + "\r\n\r\n" + v + "\r\n");
        return part.list().ofMaxSize(4).map(parts -> (String.join("", parts) + "--FuzzB--\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Arbitrary<byte[]> mutatedImage() {
        byte[] valid = pngBytes();
        return Combinators.combine(Arbitraries.integers().between(0, valid.length - 1),
                Arbitraries.bytes(), Arbitraries.integers().between(1, valid.length)).as((at, value, keep) -> {
            byte[] m = Arrays.copyOf(valid, keep);
            if (at < m.length) {
                m[at] = value;
            }
            return m;
        });
    }

    private static byte[] pngBytes() {
        try {
            return png != null ? png : Files.readAllBytes(fixture("images/cat32.png"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String validInfer() {
        StringBuilder zeros = new StringBuilder();
        for (int i = 0; i < 3 * 32 * 32; i++) {
            zeros.append(i == 0 ? "" : ",").append(i % 7 == 0 ? "0.5" : "0");
        }
        return "{\"id\":\"f\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\",\"data\":["
                + zeros + "]}],\"outputs\":[{\"name\":\"logits\"}]}";
    }

    /** Percent-encodes what a URL path may not hold, so odd paths still reach the server. */
    private static final class URLish {
        static String encode(String s) {
            StringBuilder sb = new StringBuilder();
            for (char c : s.toCharArray()) {
                if (Character.isLetterOrDigit(c) || "-._~/".indexOf(c) >= 0) {
                    sb.append(c);
                } else {
                    sb.append('%').append(String.format("%02X", (int) c));
                }
            }
            return sb.toString();
        }
    }
}
