package com.modelfactory.runtime.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** A graph built with TF ops (as the Keras loader does) served through TfSessionModel. */
class TfSessionModelTest {

    @BeforeAll
    static void natives() {
        TfNatives.prepare(null);
    }

    private static TfSessionModel halfPlusTwo() {
        Graph g = new Graph();
        Ops tf = Ops.create(g);
        var x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
        var y = tf.withName("y").math.add(tf.math.mul(x, tf.constant(0.5f)), tf.constant(2f));
        Session s = new Session(g);
        Signature sig = Signature.infer(
                List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 1})),
                List.of(new TensorSpec("output", DataType.FP32, new long[] {-1, 1})));
        return new TfSessionModel(g, s, sig, Map.of("input", x.op().name() + ":0"), Map.of("output", y.op().name() + ":0"));
    }

    @Test
    void feedsRunsAndFetchesByGraphTensorName() {
        try (LoadedModel m = Engines.wrap(new TensorFlowEngine(), halfPlusTwo()); Predictor p = m.newPredictor()) {
            Map<String, Tensor> out = p.predict(Map.of("input", Tensor.ofFloats(new long[] {3, 1}, 1f, 2f, 5f)));
            assertEquals(List.of("output"), List.copyOf(out.keySet()));
            assertArrayEquals(new long[] {3, 1}, out.get("output").shape());
            assertArrayEquals(new float[] {2.5f, 3f, 4.5f}, out.get("output").toFloats());
            assertEquals("tensorflow", m.engine());
            assertEquals(true, m.signature().batched());
        }
    }

    @Test
    void wrongShapeOrTypeIsAClientError() {
        try (LoadedModel m = Engines.wrap(new TensorFlowEngine(), halfPlusTwo()); Predictor p = m.newPredictor()) {
            assertThrows(InvalidInputException.class,
                    () -> p.predict(Map.of("input", Tensor.ofFloats(new long[] {1, 2}, 1f, 2f))));
            assertThrows(InvalidInputException.class,
                    () -> p.predict(Map.of("input", Tensor.ofLongs(new long[] {1, 1}, 1L))));
        }
    }

    @Test
    void mappingMustCoverTheSignature() {
        Graph g = new Graph();
        Session s = new Session(g);
        try {
            Signature sig = Signature.infer(List.of(new TensorSpec("a", DataType.FP32, new long[] {1})), List.of());
            assertThrows(IllegalArgumentException.class, () -> new TfSessionModel(g, s, sig, Map.of(), Map.of()));
        } finally {
            s.close();
            g.close();
        }
    }
}
