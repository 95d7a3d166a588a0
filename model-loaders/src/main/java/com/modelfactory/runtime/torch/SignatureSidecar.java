package com.modelfactory.runtime.torch;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.engine.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code signature.json} that export tooling writes beside a TorchScript file, since TorchScript
 * itself carries no shapes: {@code {"inputs":[{"name","datatype","shape"}], "outputs":[...]}} with
 * Open Inference Protocol datatypes and -1 for dynamic dimensions.
 */
final class SignatureSidecar {
    static final String FILE_NAME = "signature.json";

    /** The parsed file; inputs in forward's argument order. */
    record Specs(List<TensorSpec> inputs, List<TensorSpec> outputs, Path file) {
    }

    private static final class Json {
        List<Entry> inputs;
        List<Entry> outputs;
    }

    private static final class Entry {
        String name;
        String datatype;
        long[] shape;
    }

    private SignatureSidecar() {
    }

    static Optional<Specs> besides(Path modelFile) throws ModelLoadException {
        Path file = modelFile.resolveSibling(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Json json = new Gson().fromJson(Files.readString(file, StandardCharsets.UTF_8), Json.class);
            if (json == null || json.inputs == null || json.inputs.isEmpty()) {
                throw new ModelLoadException(file + " lists no inputs");
            }
            return Optional.of(new Specs(specs(json.inputs, file, "inputs"),
                    json.outputs == null ? List.of() : specs(json.outputs, file, "outputs"), file));
        } catch (IOException | JsonParseException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> specs(List<Entry> entries, Path file, String role) throws ModelLoadException {
        List<TensorSpec> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e == null || e.name == null || e.name.isBlank()) {
                throw new ModelLoadException(file + ": every entry of '" + role + "' needs a name");
            }
            DataType t;
            try {
                t = e.datatype == null ? null : DataType.fromName(e.datatype);
            } catch (IllegalArgumentException ex) {
                throw new ModelLoadException(file + ": " + role + " '" + e.name + "': " + ex.getMessage(), ex);
            }
            out.add(new TensorSpec(e.name, t, e.shape));
        }
        return out;
    }
}
