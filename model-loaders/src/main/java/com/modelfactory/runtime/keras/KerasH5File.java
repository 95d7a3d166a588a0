package com.modelfactory.runtime.keras;

import com.modelfactory.runtime.engine.ModelLoadException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Keras H5 file holds: the {@code model_config} JSON (absent in weights-only files), the Keras
 * version and backend, and every layer's weights in {@code weight_names} order. Read once, then closed.
 */
final class KerasH5File {
    private final Path path;
    private final String modelConfig;
    private final String kerasVersion;
    private final String backend;
    private final Map<String, LayerWeights> weights;

    private KerasH5File(Path path, String modelConfig, String kerasVersion, String backend,
                        Map<String, LayerWeights> weights) {
        this.path = path;
        this.modelConfig = modelConfig;
        this.kerasVersion = kerasVersion;
        this.backend = backend;
        this.weights = weights;
    }

    static KerasH5File read(Path path) throws ModelLoadException {
        try (HdfFile hdf = new HdfFile(path)) {
            String config = stringAttribute(hdf, "model_config");
            // Full-model files keep weights under model_weights/; save_weights() files keep them at the root.
            Node mw = hdf.getChildren().get("model_weights");
            Group weightsRoot = mw instanceof Group g ? g : hdf;
            String version = stringAttribute(hdf, "keras_version");
            if (version == null) {
                version = stringAttribute(weightsRoot, "keras_version");
            }
            String backend = stringAttribute(hdf, "backend");
            if (backend == null) {
                backend = stringAttribute(weightsRoot, "backend");
            }
            return new KerasH5File(path, config, version, backend, readWeights(weightsRoot));
        } catch (ModelLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot read Keras H5 file " + path + ": " + e, e);
        }
    }

    Path path() {
        return path;
    }

    /** The model_config JSON, or null for a weights-only file. */
    String modelConfig() {
        return modelConfig;
    }

    /** keras_version attribute ("2.2.4-tf", "3.15.1"), or null when the file does not say. */
    String kerasVersion() {
        return kerasVersion;
    }

    String backend() {
        return backend;
    }

    /** The layers that have a weight group, in the file's layer_names order. */
    Map<String, LayerWeights> weights() {
        return weights;
    }

    LayerWeights weightsOf(String layerName) {
        LayerWeights w = weights.get(layerName);
        return w == null ? LayerWeights.none(layerName) : w;
    }

    private static Map<String, LayerWeights> readWeights(Group root) throws ModelLoadException {
        Map<String, LayerWeights> out = new LinkedHashMap<>();
        List<String> layerNames = stringList(root.getAttribute("layer_names"));
        if (layerNames == null && root.getChildren().get("layers") instanceof Group layers) {
            return readKeras3Weights(layers);
        }
        if (layerNames == null) {
            layerNames = new ArrayList<>(root.getChildren().keySet());
        }
        for (String layer : layerNames) {
            if (!(root.getChildren().get(layer) instanceof Group g)) {
                continue;
            }
            List<String> names = stringList(g.getAttribute("weight_names"));
            if (names == null) {
                continue;
            }
            List<NamedArray> arrays = new ArrayList<>(names.size());
            for (String name : names) {
                Node n = g.getByPath(name);
                if (!(n instanceof Dataset ds)) {
                    throw new ModelLoadException("H5 weight '" + name + "' of layer '" + layer
                            + "' is listed in weight_names but is not a dataset");
                }
                arrays.add(read(name, ds));
            }
            out.put(layer, new LayerWeights(layer, arrays));
        }
        return out;
    }

    /**
     * Keras 3 save_weights() layout: layers/<object path>/vars/0..n, where the vars group's "name"
     * attribute holds the layer's real name and nested models repeat the pattern under layers/.
     * Weights are named "<layer>/<sublayer>/<i>" so nested lookups find them by scope, in vars order.
     */
    private static Map<String, LayerWeights> readKeras3Weights(Group layers) throws ModelLoadException {
        Map<String, LayerWeights> out = new LinkedHashMap<>();
        for (Node child : layers) {
            if (child instanceof Group layer) {
                List<NamedArray> arrays = new ArrayList<>();
                String name = collectKeras3(layer, "", arrays);
                out.put(name, new LayerWeights(name, arrays));
            }
        }
        return out;
    }

    private static String collectKeras3(Group layer, String prefix, List<NamedArray> into) throws ModelLoadException {
        String name = layer.getName();
        if (layer.getChildren().get("vars") instanceof Group vars) {
            String real = stringAttribute(vars, "name");
            name = real != null ? real : name;
            List<String> indices = new ArrayList<>(vars.getChildren().keySet());
            indices.sort(java.util.Comparator.comparingInt(KerasH5File::indexOrMax));
            for (String i : indices) {
                if (vars.getChildren().get(i) instanceof Dataset ds) {
                    into.add(read(prefix + name + "/" + i, ds));
                }
            }
        }
        if (layer.getChildren().get("layers") instanceof Group sub) {
            for (Node child : sub) {
                if (child instanceof Group g) {
                    collectKeras3(g, prefix + name + "/", into);
                }
            }
        }
        return name;
    }

    private static int indexOrMax(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static NamedArray read(String name, Dataset ds) throws ModelLoadException {
        int[] dims = ds.getDimensions();
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i];
        }
        Object flat = ds.isScalar() ? wrapScalar(ds.getData()) : ds.getDataFlat();
        int n = Array.getLength(flat);
        float[] values = new float[n];
        if (flat instanceof float[] f) {
            System.arraycopy(f, 0, values, 0, n);
        } else if (flat instanceof double[] d) {
            for (int i = 0; i < n; i++) {
                values[i] = (float) d[i];
            }
        } else if (flat instanceof long[] l) {
            for (int i = 0; i < n; i++) {
                values[i] = l[i];
            }
        } else if (flat instanceof int[] l) {
            for (int i = 0; i < n; i++) {
                values[i] = l[i];
            }
        } else {
            throw new ModelLoadException("H5 weight '" + name + "' has element type "
                    + flat.getClass().getComponentType() + "; only float and integer weights are read");
        }
        return new NamedArray(name, shape, values);
    }

    private static Object wrapScalar(Object scalar) {
        if (scalar instanceof Float f) {
            return new float[] {f};
        }
        if (scalar instanceof Double d) {
            return new double[] {d};
        }
        if (scalar instanceof Long l) {
            return new long[] {l};
        }
        if (scalar instanceof Integer i) {
            return new int[] {i};
        }
        return scalar;
    }

    private static String stringAttribute(Node node, String name) {
        Attribute a = node.getAttribute(name);
        if (a == null) {
            return null;
        }
        Object v = a.getData();
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof byte[] b) {
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (v != null && v.getClass().isArray() && Array.getLength(v) == 1) {
            return String.valueOf(Array.get(v, 0));
        }
        return v == null ? null : v.toString();
    }

    private static List<String> stringList(Attribute a) {
        if (a == null) {
            return null;
        }
        Object v = a.getData();
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            out.add(s);
        } else if (v != null && v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                Object e = Array.get(v, i);
                out.add(e instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(e));
            }
        }
        return out;
    }
}
