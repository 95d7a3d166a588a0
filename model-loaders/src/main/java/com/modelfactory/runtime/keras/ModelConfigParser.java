package com.modelfactory.runtime.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a Keras {@code model_config} (or {@code model.to_json()}) into a {@link ModelSpec}. Understands
 * Keras 2 / tf.keras ({@code class_name} + {@code config}, {@code inbound_nodes} as nested lists), the
 * Keras 3 legacy H5 dialect ({@code module}/{@code registered_name}, {@code inbound_nodes} with
 * {@code args}/{@code kwargs}) and the Keras 1 names that {@link Keras1Layers} translates.
 */
final class ModelConfigParser {
    static final Set<String> MODEL_CLASSES = Set.of("Sequential", "Functional", "Model");

    private final boolean keras1;

    ModelConfigParser(boolean keras1) {
        this.keras1 = keras1;
    }

    static JsonObject parseJson(String json, String what) throws ModelLoadException {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new ModelLoadException(what + " is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new ModelLoadException(what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    ModelSpec parse(JsonObject top) throws ModelLoadException {
        String className = string(top, "class_name");
        if (className == null || !MODEL_CLASSES.contains(className)) {
            throw new ModelLoadException("the Keras model is a '" + className + "', not a Sequential or Functional "
                    + "model; subclassed models keep their call() in Python and cannot be rebuilt from the H5 config");
        }
        return parseModel(className, top.get("config"), true);
    }

    private ModelSpec parseModel(String className, JsonElement config, boolean topLevel) throws ModelLoadException {
        if (config == null || config.isJsonNull()) {
            throw new ModelLoadException("the Keras " + className + " model has no config");
        }
        return "Sequential".equals(className) ? parseSequential(config, topLevel) : parseFunctional(config.getAsJsonObject());
    }

    private ModelSpec parseSequential(JsonElement config, boolean topLevel) throws ModelLoadException {
        // Keras <= 2.2.0 wrote a Sequential's config as the bare layer list.
        JsonArray layerList = config.isJsonArray() ? config.getAsJsonArray() : array(config.getAsJsonObject(), "layers");
        String name = config.isJsonObject() && string(config.getAsJsonObject(), "name") != null
                ? string(config.getAsJsonObject(), "name") : "sequential";
        if (layerList == null || layerList.isEmpty()) {
            throw new ModelLoadException("the Keras Sequential model '" + name + "' has no layers");
        }
        List<LayerSpec> layers = new ArrayList<>();
        LayerSpec previous = null;
        for (JsonElement e : layerList) {
            JsonObject entry = e.getAsJsonObject();
            LayerSpec parsed = layerWithoutCalls(entry);
            if (previous == null && !"InputLayer".equals(parsed.className())) {
                previous = syntheticInput(parsed, config, topLevel, name);
                layers.add(previous);
            }
            List<List<TensorRef>> calls = previous == null ? List.of()
                    : List.of(List.of(new TensorRef(previous.name(), 0, 0)));
            LayerSpec layer = new LayerSpec(parsed.className(), parsed.name(), parsed.config(), calls, parsed.nested());
            layers.add(layer);
            previous = layer;
        }
        LayerSpec input = layers.get(0);
        return new ModelSpec(name, layers, List.of(new TensorRef(input.name(), 0, 0)),
                List.of(new TensorRef(previous.name(), 0, 0)));
    }

    /** Keras names the implicit input of a Sequential "<first layer>_input"; its shape sits on the first layer. */
    private static LayerSpec syntheticInput(LayerSpec first, JsonElement modelConfig, boolean topLevel, String model)
            throws ModelLoadException {
        JsonObject c = first.config();
        JsonElement shape = firstPresent(c, "batch_input_shape", "batch_shape");
        if (shape == null && c.has("input_shape") && c.get("input_shape").isJsonArray()) {
            JsonArray s = new JsonArray();
            s.add(JsonNull.INSTANCE);
            s.addAll(c.getAsJsonArray("input_shape"));
            shape = s;
        }
        if (shape == null && c.has("input_dim") && !c.get("input_dim").isJsonNull()) {
            JsonArray s = new JsonArray();
            s.add(JsonNull.INSTANCE);
            s.add(c.get("input_dim"));
            shape = s;
        }
        if (shape == null && modelConfig.isJsonObject()) {
            shape = firstPresent(modelConfig.getAsJsonObject(), "build_input_shape");
        }
        if (shape == null && topLevel) {
            throw new ModelLoadException("the Keras Sequential model '" + model + "' declares no input shape "
                    + "(no InputLayer, batch_input_shape or build_input_shape); the input signature cannot be known");
        }
        JsonObject inputConfig = new JsonObject();
        String name = first.name() + "_input";
        inputConfig.addProperty("name", name);
        if (shape != null) {
            inputConfig.add("batch_input_shape", shape);
        }
        if (c.has("dtype") && c.get("dtype").isJsonPrimitive()) {
            inputConfig.add("dtype", c.get("dtype"));
        }
        return new LayerSpec("InputLayer", name, inputConfig, List.of(), null);
    }

    private ModelSpec parseFunctional(JsonObject config) throws ModelLoadException {
        String name = string(config, "name") == null ? "model" : string(config, "name");
        JsonArray layerList = array(config, "layers");
        if (layerList == null) {
            throw new ModelLoadException("the Keras model '" + name + "' config has no layers");
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (JsonElement e : layerList) {
            JsonObject entry = e.getAsJsonObject();
            LayerSpec parsed = layerWithoutCalls(entry);
            List<List<TensorRef>> calls = inboundNodes(entry.get("inbound_nodes"), parsed.name());
            layers.add(new LayerSpec(parsed.className(), parsed.name(), parsed.config(), calls, parsed.nested()));
        }
        return new ModelSpec(name, layers, refList(config.get("input_layers")), refList(config.get("output_layers")));
    }

    private LayerSpec layerWithoutCalls(JsonObject entry) throws ModelLoadException {
        String className = string(entry, "class_name");
        JsonElement cfgElement = entry.get("config");
        JsonObject config = cfgElement != null && cfgElement.isJsonObject() ? cfgElement.getAsJsonObject() : new JsonObject();
        String name = string(entry, "name");
        if (name == null) {
            name = string(config, "name");
        }
        if (className == null || name == null) {
            throw new ModelLoadException("a layer in the Keras config has no class_name or name: " + abbreviate(entry));
        }
        if (MODEL_CLASSES.contains(className)) {
            return new LayerSpec(className, name, config, List.of(), parseModel(className, cfgElement, false));
        }
        if (keras1) {
            Keras1Layers.Translated t = Keras1Layers.translate(className, name, config);
            return new LayerSpec(t.className(), name, t.config(), List.of(), null);
        }
        return new LayerSpec(className, name, config, List.of(), null);
    }

    /** Keras 2: [[["layer", node, tensor, {kwargs}], ...], ...]. Keras 3: [{"args": [...], "kwargs": {...}}]. */
    private static List<List<TensorRef>> inboundNodes(JsonElement nodes, String layer) throws ModelLoadException {
        List<List<TensorRef>> calls = new ArrayList<>();
        if (nodes == null || !nodes.isJsonArray()) {
            return calls;
        }
        for (JsonElement node : nodes.getAsJsonArray()) {
            List<TensorRef> refs = new ArrayList<>();
            if (node.isJsonObject()) {
                collectKerasTensors(node.getAsJsonObject().get("args"), refs);
                List<TensorRef> kwTensors = new ArrayList<>();
                collectKerasTensors(node.getAsJsonObject().get("kwargs"), kwTensors);
                if (!kwTensors.isEmpty()) {
                    throw new ModelLoadException("layer '" + layer + "' is called with tensors as keyword arguments "
                            + kwTensors + "; only positional tensor inputs are supported");
                }
            } else if (node.isJsonArray()) {
                for (JsonElement r : node.getAsJsonArray()) {
                    refs.add(ref(r.getAsJsonArray()));
                }
            }
            calls.add(refs);
        }
        return calls;
    }

    private static void collectKerasTensors(JsonElement e, List<TensorRef> out) {
        if (e == null || e.isJsonNull() || e.isJsonPrimitive()) {
            return;
        }
        if (e.isJsonArray()) {
            for (JsonElement c : e.getAsJsonArray()) {
                collectKerasTensors(c, out);
            }
            return;
        }
        JsonObject o = e.getAsJsonObject();
        if ("__keras_tensor__".equals(string(o, "class_name")) && o.has("config")) {
            JsonArray history = o.getAsJsonObject("config").getAsJsonArray("keras_history");
            out.add(ref(history));
            return;
        }
        for (var entry : o.entrySet()) {
            collectKerasTensors(entry.getValue(), out);
        }
    }

    /** input_layers / output_layers: a list of triples, or (Keras 3, one tensor) a bare triple. */
    private static List<TensorRef> refList(JsonElement e) {
        List<TensorRef> refs = new ArrayList<>();
        if (e == null || !e.isJsonArray()) {
            return refs;
        }
        JsonArray a = e.getAsJsonArray();
        if (!a.isEmpty() && a.get(0).isJsonPrimitive()) {
            refs.add(ref(a));
            return refs;
        }
        for (JsonElement r : a) {
            refs.add(ref(r.getAsJsonArray()));
        }
        return refs;
    }

    private static TensorRef ref(JsonArray triple) {
        int node = triple.size() > 1 ? triple.get(1).getAsInt() : 0;
        int tensor = triple.size() > 2 ? triple.get(2).getAsInt() : 0;
        return new TensorRef(triple.get(0).getAsString(), node, tensor);
    }

    private static JsonElement firstPresent(JsonObject o, String... keys) {
        for (String k : keys) {
            if (o.has(k) && !o.get(k).isJsonNull()) {
                return o.get(k);
            }
        }
        return null;
    }

    static String string(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    private static JsonArray array(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonArray() ? e.getAsJsonArray() : null;
    }

    private static String abbreviate(JsonElement e) {
        String s = e.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
