package com.modelfactory.runtime.keras;

import com.modelfactory.runtime.engine.ModelLoadException;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds the H5 file of a Keras model, and for a weights-only H5 (model.save_weights, the UAI
 * packdocker "model_arch_type: json" layout) the JSON architecture file beside it.
 *
 * @param h5           the H5 file to read weights (and, when it has one, the model_config) from
 * @param architecture the JSON architecture file, or null when the H5 holds its own model_config
 */
record KerasModelFiles(Path h5, Path architecture) {

    static KerasModelFiles locate(Path path) throws ModelLoadException {
        if (Files.isRegularFile(path)) {
            return forFile(path);
        }
        if (!Files.isDirectory(path)) {
            throw new ModelLoadException("Keras model path " + path + " does not exist");
        }
        List<Path> h5 = h5Files(path);
        if (h5.isEmpty()) {
            // UAI layout: the conf file at the top, the model under checkpoint_dir/.
            for (Path sub : list(path)) {
                if (Files.isDirectory(sub)) {
                    h5.addAll(h5Files(sub));
                }
            }
        }
        if (h5.isEmpty()) {
            throw new ModelLoadException("no .h5 or .hdf5 file in " + path);
        }
        if (h5.size() == 1) {
            return forFile(h5.get(0));
        }
        // A full model saved beside its own weights-only copy (model.h5 + weights.h5): take the full one.
        List<Path> full = new ArrayList<>();
        for (Path p : h5) {
            if (hasModelConfig(p)) {
                full.add(p);
            }
        }
        if (full.size() == 1) {
            return new KerasModelFiles(full.get(0), null);
        }
        throw new ModelLoadException("cannot tell which Keras H5 file in " + path + " is the model: " + h5
                + (full.isEmpty() ? " (none has a model_config)" : " (" + full.size() + " have a model_config)"));
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

    private static List<Path> h5Files(Path dir) throws ModelLoadException {
        List<Path> out = new ArrayList<>();
        for (Path p : list(dir)) {
            String n = lower(p);
            if (Files.isRegularFile(p) && (n.endsWith(".h5") || n.endsWith(".hdf5"))) {
                out.add(p);
            }
        }
        return out;
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
