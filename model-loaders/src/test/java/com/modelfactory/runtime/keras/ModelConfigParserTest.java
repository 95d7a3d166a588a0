package com.modelfactory.runtime.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.ModelLoadException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both config dialects (and Keras 1 names) reduce to the same graph of layer calls. */
class ModelConfigParserTest {

    private static ModelSpec parse(String json, boolean keras1) throws ModelLoadException {
        return new ModelConfigParser(keras1).parse(ModelConfigParser.parseJson(json, "test config"));
    }

    /** tf.keras 2.x: nested-list inbound_nodes, a layer shared by two calls, a nested Sequential. */
    @Test
    void keras2FunctionalWithSharedLayerAndNestedModel() throws Exception {
        String json = """
                {"class_name": "Model", "keras_version": "2.2.4-tf", "config": {"name": "m",
                 "layers": [
                  {"class_name": "InputLayer", "name": "a", "config": {"batch_input_shape": [null, 4], "name": "a"}, "inbound_nodes": []},
                  {"class_name": "InputLayer", "name": "b", "config": {"batch_input_shape": [null, 4], "name": "b"}, "inbound_nodes": []},
                  {"class_name": "Dense", "name": "shared", "config": {"name": "shared", "units": 4},
                   "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]},
                  {"class_name": "Sequential", "name": "inner", "config": {"name": "inner", "layers": [
                     {"class_name": "Dense", "config": {"name": "d", "units": 2, "batch_input_shape": [null, 4]}}]},
                   "inbound_nodes": [[["shared", 1, 0, {}]]]},
                  {"class_name": "Concatenate", "name": "cat", "config": {"name": "cat", "axis": -1},
                   "inbound_nodes": [[["shared", 0, 0, {}], ["inner", 0, 0, {}]]]}],
                 "input_layers": [["a", 0, 0], ["b", 0, 0]],
                 "output_layers": [["cat", 0, 0]]}}
                """;
        ModelSpec spec = parse(json, false);
        assertEquals(List.of(new TensorRef("a", 0, 0), new TensorRef("b", 0, 0)), spec.inputs());
        assertEquals(List.of(new TensorRef("cat", 0, 0)), spec.outputs());
        assertEquals(2, spec.layer("shared").calls().size());
        assertEquals(List.of(new TensorRef("b", 0, 0)), spec.layer("shared").calls().get(1));
        assertEquals(List.of(new TensorRef("shared", 1, 0)), spec.layer("inner").calls().get(0));
        ModelSpec inner = spec.layer("inner").nested();
        assertNotNull(inner);
        // A Sequential without InputLayer gets the "<first layer>_input" Keras would have made.
        assertEquals("d_input", inner.inputs().get(0).layer());
        assertEquals(List.of(new TensorRef("shared", 0, 0), new TensorRef("inner", 0, 0)),
                spec.layer("cat").calls().get(0));
    }

    /** Keras 3: inbound_nodes with args/kwargs, tensors nested in lists, a bare output triple. */
    @Test
    void keras3ArgsKwargsAndBareTriples() throws Exception {
        String json = """
                {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
                 "config": {"name": "f", "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "registered_name": null, "name": "x",
                   "config": {"batch_shape": [null, 3], "dtype": "float32", "name": "x"}, "inbound_nodes": []},
                  {"module": "keras.layers", "class_name": "Dense", "registered_name": null, "name": "d",
                   "config": {"name": "d", "units": 3},
                   "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 3],
                     "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {"training": false}}]},
                  {"module": "keras.layers", "class_name": "Add", "registered_name": null, "name": "add",
                   "config": {"name": "add"},
                   "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"keras_history": ["x", 0, 0]}},
                     {"class_name": "__keras_tensor__", "config": {"keras_history": ["d", 0, 0]}}]], "kwargs": {}}]}],
                 "input_layers": [["x", 0, 0]], "output_layers": ["add", 0, 0]}}
                """;
        ModelSpec spec = parse(json, false);
        assertEquals(List.of(new TensorRef("add", 0, 0)), spec.outputs());
        assertEquals(List.of(new TensorRef("x", 0, 0), new TensorRef("d", 0, 0)), spec.layer("add").calls().get(0));
        assertEquals("Dense", spec.layer("d").className());
    }

    /** Keras <= 2.2.0 and Keras 1 wrote a Sequential's config as the bare layer list; Keras 1 names translate. */
    @Test
    void keras1SequentialListIsTranslated() throws Exception {
        String json = """
                {"class_name": "Sequential", "keras_version": "1.2.2", "config": [
                  {"class_name": "Convolution2D", "config": {"name": "c", "nb_filter": 2, "nb_row": 3, "nb_col": 2,
                   "subsample": [1, 1], "border_mode": "valid", "dim_ordering": "tf", "bias": true,
                   "batch_input_shape": [null, 8, 8, 3]}},
                  {"class_name": "Dense", "config": {"name": "d", "output_dim": 3, "bias": false}}]}
                """;
        ModelSpec spec = parse(json, true);
        assertEquals("c_input", spec.inputs().get(0).layer());
        LayerSpec conv = spec.layer("c");
        assertEquals("Conv2D", conv.className());
        assertEquals(2, conv.config().get("filters").getAsInt());
        assertEquals("[3,2]", conv.config().get("kernel_size").toString());
        assertEquals("channels_last", conv.config().get("data_format").getAsString());
        assertEquals(3, spec.layer("d").config().get("units").getAsInt());
        assertEquals(false, spec.layer("d").config().get("use_bias").getAsBoolean());
        assertEquals(List.of(new TensorRef("c", 0, 0)), spec.layer("d").calls().get(0));
    }

    @Test
    void subclassedModelIsRefused() {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> parse("{\"class_name\": \"MyModel\", \"config\": {}}", false));
        assertTrue(e.getMessage().contains("subclassed"), e.getMessage());
    }

    @Test
    void theanoOrderedKeras1ConvolutionIsRefused() {
        String json = """
                {"class_name": "Sequential", "config": [{"class_name": "Convolution2D", "config": {"name": "c",
                  "nb_filter": 2, "nb_row": 3, "nb_col": 3, "dim_ordering": "th", "batch_input_shape": [null, 3, 8, 8]}}]}
                """;
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> parse(json, true));
        assertTrue(e.getMessage().contains("dim_ordering 'th'"), e.getMessage());
    }
}
