package com.modelfactory.runtime.keras;

import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.ModelLoadException;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The H5 file of a Keras model, and for a weights-only H5 (model.save_weights, the UAI packdocker
 * "model_arch_type: json" layout) the JSON architecture file beside it.
 *
 * @param h5           the H5 file to read weights (and, when it has one, the model_config) from
 * @param architecture the JSON architecture file, or null when the H5 holds its own model_config
 */
record KerasModelFiles(Path h5, Path architecture) {

    /** The H5 file detection chose, and the architecture JSON beside it when it holds only weights. */
    static KerasModelFiles of(LoadOptions options) throws ModelLoadException {
        return forFile(options.modelFile("Keras H5 model"));
    }

    private static KerasModelFiles forFile(Path h5) throws ModelLoadException {
        if (hasModelConfig(h5)) {
            return new KerasModelFiles(h5, null);
        }
        return new KerasModelFiles(h5, architectureBeside(h5));
    }

    /** name.json beside name.h5, else model.json, else the only .json in the folder. */
    private static Path architectureBeside(Path h5) throws ModelLoadException {
        Path dir = h5.toAbsolutePath().getParent();
        String file = h5.getFileName().toString();
        String base = file.substring(0, file.lastIndexOf('.'));
        for (Path candidate : List.of(dir.resolve(base + ".json"), dir.resolve("model.json"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        List<Path> json = list(dir).stream().filter(p -> lower(p).endsWith(".json")).toList();
        if (json.size() == 1) {
            return json.get(0);
        }
        throw new ModelLoadException("the Keras H5 file " + h5 + " holds only weights (no model_config) and "
                + (json.isEmpty() ? "no JSON architecture file (" + base + ".json or model.json) is beside it"
                : "several JSON files are beside it " + json + "; name the architecture " + base + ".json or model.json"));
    }

    static boolean hasModelConfig(Path h5) throws ModelLoadException {
        try (HdfFile hdf = new HdfFile(h5)) {
            return hdf.getAttribute("model_config") != null;
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot read " + h5 + " as HDF5: " + e.getMessage(), e);
        }
    }

    private static List<Path> list(Path dir) throws ModelLoadException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new ModelLoadException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String lower(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT);
    }
}
