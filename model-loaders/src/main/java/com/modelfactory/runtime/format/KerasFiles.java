package com.modelfactory.runtime.format;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a Keras H5 file holds: a whole model ({@code model_config} attribute on the root group), or only
 * weights ({@code model.save_weights}), whose architecture must come from a JSON file beside it
 * ({@code model.to_json()}, as UCloud UAI's {@code "model_arch_type": "json"} deliveries do).
 */
public final class KerasFiles {
    private KerasFiles() {
    }

    /** What an HDF5 file is, as far as Keras goes. */
    public enum H5Kind { FULL_MODEL, WEIGHTS_ONLY, NOT_KERAS }

    /** The kind and the Keras version that wrote it (null when not recorded). */
    public record H5Info(H5Kind kind, String kerasVersion, String backend) {
    }

    static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    public static H5Info inspect(Path h5) throws IOException {
        try (HdfFile file = new HdfFile(h5)) {
            Map<String, Attribute> attributes = file.getAttributes();
            String version = stringAttribute(attributes, "keras_version");
            String backend = stringAttribute(attributes, "backend");
            if (attributes.containsKey("model_config")) {
                return new H5Info(H5Kind.FULL_MODEL, version, backend);
            }
            Map<String, Node> children = file.getChildren();
            if (attributes.containsKey("layer_names") || children.containsKey("model_weights")) {
                return new H5Info(H5Kind.WEIGHTS_ONLY, version, backend);
            }
            return new H5Info(H5Kind.NOT_KERAS, version, backend);
        } catch (RuntimeException e) {
            // jhdf reports unreadable structures as unchecked exceptions; fall back to the attribute
            // names, which sit in the root object header near the start of the file.
            byte[] head = readHead(h5, 1 << 20);
            String text = new String(head, StandardCharsets.ISO_8859_1);
            if (text.contains("model_config")) {
                return new H5Info(H5Kind.FULL_MODEL, null, null);
            }
            if (text.contains("layer_names")) {
                return new H5Info(H5Kind.WEIGHTS_ONLY, null, null);
            }
            throw new IOException("cannot read HDF5 file " + h5.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The architecture JSON for a weights-only H5: a Keras model JSON beside it with the same base name,
     * else the only Keras model JSON in the folder.
     */
    public static Optional<Path> architectureJson(Path h5) throws IOException {
        Path dir = h5.toAbsolutePath().getParent();
        String stem = stem(h5.getFileName().toString());
        Path sameStem = dir.resolve(stem + ".json");
        if (Files.isRegularFile(sameStem) && isKerasModelJson(sameStem)) {
            return Optional.of(sameStem);
        }
        List<Path> jsons = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().toLowerCase().endsWith(".json") && Files.isRegularFile(p)
                        && isKerasModelJson(p)) {
                    jsons.add(p);
                }
            }
        }
        return jsons.size() == 1 ? Optional.of(jsons.get(0)) : Optional.empty();
    }

    /** A {@code model.to_json()} document: an object with the model's class_name and config. */
    static boolean isKerasModelJson(Path json) throws IOException {
        if (Files.size(json) > 64L << 20) {
            return false;
        }
        String text = new String(readHead(json, 1 << 16), StandardCharsets.UTF_8).stripLeading();
        return text.startsWith("{") && text.contains("\"class_name\"") && text.contains("\"config\"");
    }

    static boolean hasHdf5Signature(byte[] head) {
        // The superblock sits at 0, or after a user block at 512, 1024, 2048 ... bytes.
        for (int offset = 0; offset + HDF5_SIGNATURE.length <= head.length; offset = offset == 0 ? 512 : offset * 2) {
            if (java.util.Arrays.equals(head, offset, offset + 8, HDF5_SIGNATURE, 0, 8)) {
                return true;
            }
        }
        return false;
    }

    private static String stringAttribute(Map<String, Attribute> attributes, String name) {
        Attribute a = attributes.get(name);
        if (a == null) {
            return null;
        }
        try {
            Object data = a.getData();
            return data instanceof String s ? s : data instanceof String[] arr && arr.length > 0 ? arr[0] : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    static byte[] readHead(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(max);
        }
    }
}
