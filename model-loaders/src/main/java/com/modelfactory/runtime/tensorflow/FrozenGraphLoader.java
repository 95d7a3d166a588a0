package com.modelfactory.runtime.tensorflow;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import com.modelfactory.runtime.engine.LoadOptions;
import com.modelfactory.runtime.engine.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.GraphDef;

/**
 * A frozen GraphDef (.pb, variables folded into constants): imported as it is. Inputs and outputs
 * come from config, else from the graph's Placeholders and sinks ({@link GraphEndpoints}).
 */
final class FrozenGraphLoader {
    private static final Logger log = LoggerFactory.getLogger(FrozenGraphLoader.class);

    private FrozenGraphLoader() {
    }

    static TfSessionModel load(LoadOptions options, TfDevices.Choice device) throws ModelLoadException {
        Path file = options.modelFile("frozen graph");
        GraphDef def = read(file);
        ImportedGraph.Opened g = ImportedGraph.open(def, device.config(), file.toString());
        try {
            GraphBinding binding = GraphEndpoints.bind(g.graph(), options.declaredInputs(), options.declaredOutputs());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("format", "frozen_graph");
            details.put("path", file.toString());
            details.put("graph_nodes", def.getNodeCount());
            details.put("input_tensors", binding.inputTensors());
            details.put("output_tensors", binding.outputTensors());
            log.info("frozen graph {} on {}: {}", file.getFileName(), device.device(), binding.signature());
            return new TfSessionModel(g.session(), binding.signature(), binding.inputTensors(),
                    binding.outputTensors(), device.device(), details, List.of(g));
        } catch (ModelLoadException | RuntimeException e) {
            g.close();
            throw e;
        }
    }

    static GraphDef read(Path file) throws ModelLoadException {
        try {
            if (file.getFileName().toString().endsWith(".pbtxt")) {
                GraphDef.Builder b = GraphDef.newBuilder();
                TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), b);
                return b.build();
            }
            return GraphDef.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException | TextFormat.ParseException e) {
            throw new ModelLoadException(file + " is not a TensorFlow GraphDef (truncated or another format?): "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
