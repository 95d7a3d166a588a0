package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Tells what one file is by its content (magic bytes and structure), using the extension only for
 * formats without a reliable signature and to explain files that claim to be a model but are not.
 */
final class FileSniffer {
    private static final int HEAD = 4096;
    private static final Pattern TF_OP = Pattern.compile("[A-Za-z_][A-Za-z0-9_>.]*");
    private static final Pattern TF_NODE_NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-/>]*");
    private static final Pattern TORCHSCRIPT_ENTRY =
            Pattern.compile("^[^/]+/(code/.*|constants\\.pkl|bytecode\\.pkl)$");
    private static final Pattern TORCH_DATA_PKL = Pattern.compile("^[^/]+/data\\.pkl$");
    /** torch.save's pre-1.6 format starts with pickle protocol 2 and this long (0x1950a86a20f9469cfc6c). */
    private static final byte[] TORCH_LEGACY_MAGIC =
            {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
             (byte) 0xa8, 0x50, 0x19};
    /** Wire types of ModelProto's fields (onnx.proto): anything else at these numbers is not ONNX. */
    private static final Map<Integer, Integer> ONNX_MODEL_FIELDS = Map.ofEntries(
            Map.entry(1, ProtoReader.VARINT), Map.entry(2, ProtoReader.LEN), Map.entry(3, ProtoReader.LEN),
            Map.entry(4, ProtoReader.LEN), Map.entry(5, ProtoReader.VARINT), Map.entry(6, ProtoReader.LEN),
            Map.entry(7, ProtoReader.LEN), Map.entry(8, ProtoReader.LEN), Map.entry(14, ProtoReader.LEN),
            Map.entry(20, ProtoReader.LEN), Map.entry(25, ProtoReader.LEN));
    /** Wire types of GraphDef's fields (graph.proto); GraphDef has no others. */
    private static final Map<Integer, Integer> GRAPHDEF_FIELDS = Map.of(
            1, ProtoReader.LEN, 2, ProtoReader.LEN, 3, ProtoReader.VARINT, 4, ProtoReader.LEN, 5, ProtoReader.LEN);

    private FileSniffer() {
    }

    static Sniff sniff(Path file) throws IOException {
        String name = file.getFileName().toString();
        String ext = extension(name);
        if (Files.size(file) == 0) {
            return new Sniff(file, null, "an empty file: an interrupted copy or download?");
        }
        byte[] head = KerasFiles.readHead(file, HEAD);
        Sniff s = byMagic(file, head);
        if (s == null) {
            s = byProtobuf(file, name, ext, head);
        }
        return s != null ? s : byExtension(file, ext);
    }

    /** Content first: formats with a signature in their first bytes; null when none matches. */
    private static Sniff byMagic(Path file, byte[] head) throws IOException {
        if (startsWith(head, 0, "PK\u0003\u0004") || startsWith(head, 0, "PK\u0005\u0006")) {
            return zip(file);
        }
        if (KerasFiles.hasHdf5Signature(head)) {
            return hdf5(file);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            String what = startsWith(head, 0, TORCH_LEGACY_MAGIC)
                    ? "a PyTorch file saved by torch.save in the legacy (pre-1.6) pickle format"
                    : "a Python pickle (torch.save of a state_dict or module, or another pickled object)";
            return new Sniff(file, ModelFormat.PYTORCH_PICKLE, what);
        }
        if (head.length >= 8 && startsWith(head, 4, "TFL3")) {
            return new Sniff(file, ModelFormat.TFLITE, "a TensorFlow Lite flatbuffer (TFL3)");
        }
        if (looksLikePmml(head)) {
            return new Sniff(file, ModelFormat.PMML, "a PMML document");
        }
        return notAModel(file, head);
    }

    /**
     * What a file that stands where a model should is when it is text no model format starts with: a Git
     * LFS pointer (a clone without {@code git lfs pull}), an HTML page (a saved download or login page, a
     * proxy's error), JSON (an API's error answer); null otherwise.
     */
    private static Sniff notAModel(Path file, byte[] head) throws IOException {
        String text = new String(head, 0, Math.min(head.length, 512), StandardCharsets.UTF_8).replace("\uFEFF", "")
                .stripLeading();
        String lower = text.toLowerCase(Locale.ROOT);
        if (text.startsWith("version https://git-lfs.github.com/spec/")) {
            return new Sniff(file, null, "a Git LFS pointer, not the model itself: the "
                    + "repository was cloned or copied without its LFS objects; run `git lfs pull` or download the real file");
        }
        if (lower.startsWith("<!doctype html") || lower.startsWith("<html") || lower.startsWith("<head")) {
            return new Sniff(file, null, "an HTML page, not a model: a saved web page, "
                    + "login or error page instead of the download itself");
        }
        if ((text.startsWith("{") || text.startsWith("[")) && looksLikeText(head)) {
            return new Sniff(file, null, "a JSON document, not a model: "
                    + firstLine(text));
        }
        return null;
    }

    private static boolean looksLikeText(byte[] head) {
        for (byte b : head) {
            if (b == 0 || (b > 0 && b < 0x09)) {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("");
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }

    /** Protobuf formats, which have no magic: told apart by name and by parsing; null when none fits. */
    private static Sniff byProtobuf(Path file, String name, String ext, byte[] head) throws IOException {
        if (name.equals("saved_model.pb")) {
            String sm = savedModel(file);
            return sm != null ? new Sniff(file, ModelFormat.SAVED_MODEL, sm)
                    : new Sniff(file, null, "saved_model.pb that is not a SavedModel protobuf (truncated or corrupt?)");
        }
        if (name.equals("saved_model.pbtxt")) {
            return new Sniff(file, ModelFormat.SAVED_MODEL, "a SavedModel in text format");
        }
        if ((head[0] & 0xff) == 0x08) {
            String onnx = onnx(file);
            if (onnx != null) {
                return new Sniff(file, ModelFormat.ONNX, onnx);
            }
        }
        if ((head[0] & 0xff) == 0x0a && !ext.equals("meta")) {
            String graph = graphDef(file);
            if (graph != null) {
                return new Sniff(file, ModelFormat.FROZEN_GRAPH, graph);
            }
        }
        return null;
    }

    /** Extension second: formats without a signature, and why a file that claims to be a model is not one. */
    private static Sniff byExtension(Path file, String ext) {
        return switch (ext) {
            case "tflite", "lite" -> new Sniff(file, ModelFormat.TFLITE, "a TensorFlow Lite file (by extension)");
            case "pmml" -> new Sniff(file, ModelFormat.PMML, "a PMML file (by extension)");
            case "onnx" -> new Sniff(file, null, ".onnx file that is not an ONNX ModelProto (truncated or corrupt?)");
            case "pt", "pth", "pt1", "torchscript" -> new Sniff(file, null,
                    "." + ext + " file that is neither a TorchScript archive nor a PyTorch pickle");
            case "pb" -> new Sniff(file, null, ".pb file that is neither an ONNX model, a GraphDef nor a SavedModel");
            case "h5", "hdf5", "keras" -> new Sniff(file, null, "." + ext + " file without an HDF5 or zip signature");
            default -> new Sniff(file, null, "not a model file");
        };
    }

    private static Sniff zip(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements() && names.size() < 100_000) {
                names.add(entries.nextElement().getName());
            }
        } catch (ZipException e) {
            return new Sniff(file, null, "zip file that cannot be read (" + e.getMessage() + ")");
        }
        if (names.stream().anyMatch(n -> TORCHSCRIPT_ENTRY.matcher(n).matches())) {
            return new Sniff(file, ModelFormat.TORCHSCRIPT, "a TorchScript archive (code/, constants.pkl)");
        }
        if (names.stream().anyMatch(n -> TORCH_DATA_PKL.matcher(n).matches())) {
            return new Sniff(file, ModelFormat.PYTORCH_PICKLE,
                    "a torch.save archive (data.pkl without TorchScript code/): a state_dict or pickled module");
        }
        if (names.contains("config.json") && names.contains("metadata.json")) {
            return new Sniff(file, ModelFormat.KERAS_V3, "a Keras 3 .keras archive (config.json, metadata.json)");
        }
        return new Sniff(file, null, "a zip archive that holds no model (" + names.size() + " entries: "
                + String.join(", ", names.subList(0, Math.min(5, names.size()))) + (names.size() > 5 ? ", ..." : "")
                + "); a model archive holds a model file or folder (model.onnx, saved_model.pb, a TorchScript .pt, ...)");
    }

    private static Sniff hdf5(Path file) {
        try {
            KerasFiles.H5Info info = KerasFiles.inspect(file);
            String by = info.kerasVersion() == null ? "" : " written by Keras " + info.kerasVersion();
            switch (info.kind()) {
                case FULL_MODEL:
                    return new Sniff(file, ModelFormat.KERAS_H5, "a Keras H5 model (model_config)" + by);
                case WEIGHTS_ONLY:
                    var json = KerasFiles.architectureJson(file);
                    if (json.isPresent()) {
                        return new Sniff(file, ModelFormat.KERAS_H5, "Keras H5 weights" + by
                                + " with the architecture in " + json.get().getFileName(), true);
                    }
                    return new Sniff(file, null, "Keras H5 weights only (no model_config) and no architecture "
                            + "JSON (model.to_json()) beside it");
                default:
                    return new Sniff(file, null, "HDF5 file without Keras model_config or weights");
            }
        } catch (IOException e) {
            return new Sniff(file, null, "HDF5 file that cannot be read (" + e.getMessage() + ")");
        }
    }

    /** ModelProto: ir_version and graph at their field numbers with the right wire types, nothing left over. */
    static String onnx(Path file) throws IOException {
        try (ProtoReader r = new ProtoReader(file)) {
            long end = r.size();
            long pos = 0;
            long irVersion = -1;
            ProtoReader.Field graph = null;
            String producer = null;
            int opsets = 0;
            for (int fields = 0; pos < end; fields++) {
                ProtoReader.Field f = r.field(pos, end);
                Integer expected = f == null ? null : ONNX_MODEL_FIELDS.get(f.number());
                if (f == null || fields > 100_000 || (expected != null && expected != f.wireType())) {
                    return null;
                }
                switch (f.number()) {
                    case 1 -> irVersion = f.varint();
                    case 2 -> producer = f.payloadLength() < 200
                            ? new String(r.bytes(f.payloadStart(), (int) f.payloadLength()), StandardCharsets.UTF_8)
                            : null;
                    case 7 -> graph = f;
                    case 8 -> opsets++;
                    default -> { }
                }
                pos = f.next();
            }
            if (irVersion < 1 || irVersion > 100 || graph == null) {
                return null;
            }
            int nodes = 0;
            long graphEnd = graph.payloadStart() + graph.payloadLength();
            for (pos = graph.payloadStart(); pos < graphEnd; ) {
                ProtoReader.Field f = r.field(pos, graphEnd);
                if (f == null || (f.number() <= 15 && f.wireType() != ProtoReader.LEN)) {
                    return null; // every GraphProto field up to 15 is a message, string or repeated message
                }
                if (f.number() == 1) {
                    nodes++;
                }
                pos = f.next();
            }
            return "an ONNX ModelProto (ir_version " + irVersion
                    + (producer == null || producer.isEmpty() ? "" : ", from " + producer)
                    + ", " + nodes + " graph nodes, " + opsets + " opset imports)";
        }
    }

    /** NodeDef's fields: name, op, input, device, attr, experimental_debug_info, experimental_type (all LEN). */
    private static final int NODEDEF_LAST_FIELD = 7;

    /**
     * GraphDef: only its own fields, at least one node, and the first small node is a sane NodeDef (its name and
     * op read with our own proto reader, not TensorFlow's classes, which an image built with --engines may leave
     * out).
     */
    static String graphDef(Path file) throws IOException {
        try (ProtoReader r = new ProtoReader(file)) {
            long end = r.size();
            int nodes = 0;
            String[] first = null; // name, op
            for (long pos = 0; pos < end; ) {
                ProtoReader.Field f = r.field(pos, end);
                Integer expected = f == null ? null : GRAPHDEF_FIELDS.get(f.number());
                if (expected == null || expected != f.wireType()) {
                    return null;
                }
                if (f.number() == 1) {
                    nodes++;
                    if (first == null && f.payloadLength() < (1 << 20)) {
                        first = nodeNameAndOp(r, f.payloadStart(), f.payloadStart() + f.payloadLength());
                        if (first == null || !TF_OP.matcher(first[1]).matches()
                                || !TF_NODE_NAME.matcher(first[0]).matches()) {
                            return null;
                        }
                    }
                }
                pos = f.next();
            }
            if (nodes == 0 || first == null) {
                return null;
            }
            return "a TensorFlow GraphDef (" + nodes + " nodes, first " + first[1] + " '" + first[0] + "')";
        }
    }

    /** A NodeDef's name (field 1) and op (field 2), "" when absent; null when the bytes are not a NodeDef. */
    private static String[] nodeNameAndOp(ProtoReader r, long start, long end) throws IOException {
        String[] nameAndOp = {"", ""};
        for (long pos = start; pos < end; ) {
            ProtoReader.Field f = r.field(pos, end);
            if (f == null || f.number() < 1 || f.number() > NODEDEF_LAST_FIELD || f.wireType() != ProtoReader.LEN) {
                return null;
            }
            if (f.number() <= 2) {
                nameAndOp[f.number() - 1] = new String(r.bytes(f.payloadStart(), (int) f.payloadLength()),
                        java.nio.charset.StandardCharsets.UTF_8);
            }
            pos = f.next();
        }
        return nameAndOp;
    }

    /** SavedModel: saved_model_schema_version and at least one MetaGraphDef. */
    static String savedModel(Path file) throws IOException {
        try (ProtoReader r = new ProtoReader(file)) {
            long end = r.size();
            int metaGraphs = 0;
            for (long pos = 0; pos < end; ) {
                ProtoReader.Field f = r.field(pos, end);
                if (f == null || (f.number() == 1 && f.wireType() != ProtoReader.VARINT)
                        || (f.number() == 2 && f.wireType() != ProtoReader.LEN) || f.number() > 2) {
                    return null;
                }
                if (f.number() == 2) {
                    metaGraphs++;
                }
                pos = f.next();
            }
            return metaGraphs == 0 ? null : "a SavedModel (" + metaGraphs + " meta graph" + (metaGraphs > 1 ? "s" : "") + ")";
        }
    }

    private static boolean looksLikePmml(byte[] head) {
        String text = new String(head, StandardCharsets.UTF_8).stripLeading();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1).stripLeading();
        }
        return text.startsWith("<") && text.contains("<PMML");
    }

    private static boolean startsWith(byte[] data, int offset, String ascii) {
        return startsWith(data, offset, ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
        if (data.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
}
