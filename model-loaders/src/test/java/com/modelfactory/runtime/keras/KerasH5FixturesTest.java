package com.modelfactory.runtime.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.engine.Engines;
import com.modelfactory.runtime.testing.EngineFixtures;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.LoadedModel;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.Predictor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.engine.ModelFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Keras fixtures made by real Keras 3 (model-loaders/src/test/fixtures/keras_h5/NAME/{model.h5,
 * reference.json}): each rebuilt model must give Keras' own outputs within 1e-4, at the reference batch
 * and at batch 1.
 */
class KerasH5FixturesTest {
    static final double TOLERANCE = 1e-4;
    /** Fixtures Keras cannot serve without Python: they must be refused. */
    private static final List<String> REFUSED = List.of("lambda_layer", "custom_layer");
    private static final List<String> REQUIRED = List.of("sequential_mlp", "functional_cnn", "separable",
            "two_in_two_out", "nested", "weights_and_json");
    /** Fixtures that hold more than one H5: each file is loaded on its own (with model.json beside it). */
    private static final List<String> PER_FILE = List.of("weights_and_json");

    static Path fixtures() {
        return Path.of(System.getProperty("fixtures.dir", "src/test/fixtures")).resolve("keras_h5");
    }

    static Stream<String> loadable() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(fixtures())) {
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !REFUSED.contains(n))
                    .sorted().forEach(names::add);
        }
        assertTrue(names.containsAll(REQUIRED), "Keras fixtures missing: expected at least " + REQUIRED + " in "
                + fixtures() + ", found " + names);
        List<String> targets = new ArrayList<>();
        for (String name : names) {
            if (PER_FILE.contains(name)) {
                try (Stream<Path> s = Files.list(fixtures().resolve(name))) {
                    s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".h5")).sorted()
                            .forEach(f -> targets.add(name + "/" + f));
                }
            } else {
                targets.add(name);
            }
        }
        return targets.stream();
    }

    static LoadedModel load(Path dir) throws ModelLoadException {
        return Engines.load(new KerasH5Engine(), ModelFormat.KERAS_H5, LoadOptions.of(EngineFixtures.located(dir)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loadable")
    void matchesKerasAtReferenceBatchAndBatchOne(String name) throws Exception {
        Path target = fixtures().resolve(name);
        Path dir = Files.isDirectory(target) ? target : target.getParent();
        ReferenceData ref = ReferenceData.read(dir.resolve("reference.json"));
        assertTrue(ref.batch() > 1, name + ": the reference should hold a batch > 1");
        try (LoadedModel model = load(target); Predictor p = model.newPredictor()) {
            for (TensorSpec in : model.signature().inputs()) {
                assertEquals(-1, in.dim(0), name + ": input " + in + " should have a dynamic batch dimension");
                assertTrue(ref.inputs().containsKey(in.name()), name + ": signature input '" + in.name()
                        + "' is not in the reference " + ref.inputs().keySet());
            }
            assertEquals(ref.outputs().keySet().stream().toList(),
                    model.signature().outputs().stream().map(TensorSpec::name).toList(), name + ": output names");
            double full = ReferenceData.assertClose(ref.outputs(), p.predict(ref.inputs()), TOLERANCE,
                    name + " batch " + ref.batch());
            ReferenceData one = ref.firstRows(1);
            double single = ReferenceData.assertClose(one.outputs(), p.predict(one.inputs()), TOLERANCE, name + " batch 1");
            System.out.printf("keras fixture %s: max |diff| batch %d = %.3g, batch 1 = %.3g%n", name, ref.batch(), full,
                    single);
        }
    }

    @Test
    void lambdaLayerIsRefusedWithAnExplanation() {
        Path dir = fixtures().resolve("lambda_layer");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> load(dir).close());
        System.out.println("keras fixture lambda_layer refused: " + e.getMessage());
        assertTrue(e.getMessage().contains("'lambda' of class Lambda"), e.getMessage());
        assertTrue(e.getMessage().contains("Python"), e.getMessage());
        assertTrue(e.getMessage().contains("Supported layers: ["), e.getMessage());
    }

    @Test
    void customLayerIsRefusedNamingItAndTheSupportedList() {
        Path dir = fixtures().resolve("custom_layer");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> load(dir).close());
        System.out.println("keras fixture custom_layer refused: " + e.getMessage());
        assertTrue(e.getMessage().contains("'scale' of class fixtures>Scale is not supported"), e.getMessage());
        assertTrue(e.getMessage().contains("custom layer"), e.getMessage());
        assertTrue(e.getMessage().contains("Supported layers: [") && e.getMessage().contains("Conv2D"), e.getMessage());
    }
}
