package com.modelfactory.runtime.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The declared signature of a TorchScript module's forward method, read from the archive itself:
 * a TorchScript file is a zip whose {@code data.pkl} names the root class and whose {@code code/}
 * folder holds that class as TorchScript source, e.g.
 * {@code def forward(self: __torch__.Net, x: Tensor, incr: float) -> Tuple[Tensor, Tensor]:}.
 * That gives argument names and kinds (tensor or scalar) and the return type, not shapes.
 */
record TorchScriptSchema(List<Arg> args, String returnType) {
    private static final Pattern ROOT_CLASS = Pattern.compile("c(__torch__[\\w.]*)\\n(\\w+)\\n");

    /** One forward argument: name and TorchScript type ("Tensor", "float", "int", "bool", ...). */
    record Arg(String name, String type) {
        Kind kind() {
            return switch (type) {
                case "float" -> Kind.FLOAT;
                case "int" -> Kind.INT;
                case "bool" -> Kind.BOOL;
                default -> Kind.TENSOR;
            };
        }
    }

    /** How an argument is passed to forward: as a tensor or as a Python scalar. */
    enum Kind { TENSOR, FLOAT, INT, BOOL }

    /** Empty when the archive does not have the expected layout (then nothing is assumed). */
    static Optional<TorchScriptSchema> read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry data = null;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry z = e.nextElement();
                if (z.getName().endsWith("/data.pkl") && z.getName().indexOf('/') == z.getName().lastIndexOf('/')) {
                    data = z;
                    break;
                }
            }
            if (data == null) {
                return Optional.empty();
            }
            String root = data.getName().substring(0, data.getName().indexOf('/') + 1);
            Matcher m = ROOT_CLASS.matcher(read(zip, data, 4096));
            if (!m.find()) {
                return Optional.empty();
            }
            String module = m.group(1);
            String cls = m.group(2);
            ZipEntry code = zip.getEntry(root + "code/" + module.replace('.', '/') + ".py");
            if (code == null) {
                return Optional.empty();
            }
            return parse(read(zip, code, Integer.MAX_VALUE), cls);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String read(ZipFile zip, ZipEntry e, int max) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes(max);
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }

    /** Finds {@code class <cls>(...)}'s forward in TorchScript source and splits its signature. */
    static Optional<TorchScriptSchema> parse(String source, String cls) {
        int c = source.indexOf("class " + cls + "(");
        if (c < 0) {
            return Optional.empty();
        }
        int f = source.indexOf("def forward(", c);
        int nextClass = source.indexOf("\nclass ", c + 1);
        if (f < 0 || (nextClass >= 0 && f > nextClass)) {
            return Optional.empty();
        }
        int open = f + "def forward".length();
        int close = matching(source, open);
        if (close < 0) {
            return Optional.empty();
        }
        List<Arg> args = new ArrayList<>();
        for (String part : splitTopLevel(source.substring(open + 1, close))) {
            String p = part.strip();
            int eq = topLevelIndex(p, '=');
            if (eq >= 0) {
                p = p.substring(0, eq).strip();
            }
            int colon = p.indexOf(':');
            String name = colon < 0 ? p : p.substring(0, colon).strip();
            String type = colon < 0 ? "Tensor" : p.substring(colon + 1).strip();
            if (!name.equals("self") && !name.isEmpty()) {
                args.add(new Arg(name, type));
            }
        }
        String rest = source.substring(close + 1);
        String ret = "Tensor";
        Matcher r = Pattern.compile("^\\s*->\\s*(.+?):\\s*\\n").matcher(rest);
        if (r.find()) {
            ret = r.group(1).strip();
        }
        return Optional.of(new TorchScriptSchema(args, ret));
    }

    /** Number of values the return type is a tuple of (1 for a single tensor, -1 for dicts/lists). */
    int returnArity() {
        if (returnType.startsWith("Tuple[")) {
            return splitTopLevel(returnType.substring(6, returnType.length() - 1)).size();
        }
        if (returnType.startsWith("Dict[") || returnType.startsWith("List[")) {
            return -1;
        }
        return 1;
    }

    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '(' || ch == '[') {
                depth++;
            } else if (ch == ')' || ch == ']') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '(' || ch == '[') {
                depth++;
            } else if (ch == ')' || ch == ']') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (!s.substring(start).isBlank()) {
            parts.add(s.substring(start));
        }
        return parts;
    }

    private static int topLevelIndex(String s, char target) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '(' || ch == '[') {
                depth++;
            } else if (ch == ')' || ch == ']') {
                depth--;
            } else if (ch == target && depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
