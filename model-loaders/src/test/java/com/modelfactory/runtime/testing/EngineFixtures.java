package com.modelfactory.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.format.ModelLocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the real model files of engine tests are (the shared corpus, the generated fixtures; tests skip
 * when they are absent) and readers for their reference data (.npy, the generator's reference.json).
 */
public final class EngineFixtures {
    private EngineFixtures() {
    }

    public static Path shared(String relative) {
        String dir = System.getProperty("shared.models.dir");
        assumeTrue(dir != null && Files.isDirectory(Path.of(dir)),
                "shared model corpus not found (system property shared.models.dir=" + dir + "); skipping");
        Path p = Path.of(dir).resolve(relative);
        assumeTrue(Files.exists(p), p + " is not in the shared corpus; skipping");
        return p;
    }

    public static Path fixture(String relative) {
        String dir = System.getProperty("fixtures.dir");
        assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "fixtures folder " + dir + " not found; skipping");
        Path p = Path.of(dir).resolve(relative);
        assumeTrue(Files.exists(p), p + " is not among the fixtures; skipping");
        return p;
    }

    /**
     * A file as it is; for a folder, what detection chooses in it (the model file, or the SavedModel /
     * checkpoint folder): engines load exactly the path they are given, as the server gives it to them.
     */
    public static Path located(Path path) throws ModelLoadException {
        return Files.isRegularFile(path) ? path : new ModelLocator().locate(path).modelPath();
    }

    /** A little-endian float32 or float64 .npy file (NumPy format 1.0/2.0, C order) as a tensor. */
    public static Tensor npy(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all[0] != (byte) 0x93 || !new String(all, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IOException(file + " is not a .npy file");
        }
        int major = all[6];
        int headerLen = major == 1 ? (b.getShort(8) & 0xffff) : b.getInt(8);
        int offset = major == 1 ? 10 : 12;
        String header = new String(all, offset, headerLen, StandardCharsets.US_ASCII);
        String descr = match(header, "'descr':\\s*'([^']+)'");
        if (header.contains("'fortran_order': True")) {
            throw new IOException(file + " is Fortran-ordered");
        }
        String shapeText = match(header, "'shape':\\s*\\(([^)]*)\\)");
        long[] shape = shapeText.isBlank() ? new long[0]
                : java.util.Arrays.stream(shapeText.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .mapToLong(Long::parseLong).toArray();
        DataType type = switch (descr) {
            case "<f4" -> DataType.FP32;
            case "<f8" -> DataType.FP64;
            case "<i8" -> DataType.INT64;
            default -> throw new IOException("unsupported .npy dtype " + descr);
        };
        ByteBuffer data = ByteBuffer.wrap(all, offset + headerLen, all.length - offset - headerLen).slice();
        return new Tensor(type, shape, data);
    }

    private static String match(String s, String regex) throws IOException {
        Matcher m = Pattern.compile(regex).matcher(s);
        if (!m.find()) {
            throw new IOException("malformed .npy header: " + s);
        }
        return m.group(1);
    }

    /** The fixture generator's reference.json: {"inputs": {name: {datatype, shape, data}}, "outputs": {...}}. */
    public record Reference(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
        /** The first {@code n} rows of every input and output. */
        public Reference firstRows(int n) {
            return new Reference(rows(inputs, n), rows(outputs, n));
        }

        private static Map<String, Tensor> rows(Map<String, Tensor> m, int n) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            m.forEach((k, t) -> {
                long[] shape = t.shape();
                long per = Tensor.elementCount(shape) / shape[0];
                shape[0] = n;
                out.put(k, Tensor.ofFloats(shape, java.util.Arrays.copyOf(t.toFloats(), (int) (per * n))));
            });
            return out;
        }
    }

    public static Reference reference(Path file) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        return new Reference(tensors(root.getAsJsonObject("inputs")), tensors(root.getAsJsonObject("outputs")));
    }

    private static Map<String, Tensor> tensors(JsonObject o) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            JsonObject t = e.getValue().getAsJsonObject();
            JsonArray shapeJ = t.getAsJsonArray("shape");
            long[] shape = new long[shapeJ.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJ.get(i).getAsLong();
            }
            JsonArray data = t.getAsJsonArray("data");
            float[] v = new float[data.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.get(i).getAsFloat();
            }
            if (!t.get("datatype").getAsString().equals("FP32")) {
                throw new IllegalArgumentException("reference tensor " + e.getKey() + " is not FP32");
            }
            m.put(e.getKey(), Tensor.ofFloats(shape, v));
        }
        return m;
    }

    public static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloats();
        float[] a = actual.toFloats();
        assertEquals(e.length, a.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
        }
        if (worst > tol) {
            throw new AssertionError(what + ": max abs diff " + worst + " > " + tol);
        }
    }
}
