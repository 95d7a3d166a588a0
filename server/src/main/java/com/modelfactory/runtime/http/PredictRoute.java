package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ModelInputs;
import com.modelfactory.runtime.serving.RequestDecoder;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POST /predict, the legacy route: an image as raw bytes, multipart or base64 JSON, or JSON
 * {"instances": [...]}; answers the first output as nested lists plus every output as OIP tensors.
 */
final class PredictRoute {
    private final HttpApi api;

    PredictRoute(HttpApi api) {
        this.api = api;
    }

    void handle(RoutingContext ctx) {
        InferenceService service = api.state().service();
        int topK = topK(ctx);
        ModelInfo info = service.info();
        api.respond(ctx, service, decoder(ctx), outputs -> render(info, outputs, topK));
    }

    private static RequestDecoder decoder(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String mime = type == null ? "" : type.split(";")[0].trim().toLowerCase();
        if (mime.startsWith("image/") || mime.equals("application/octet-stream") || mime.isEmpty()) {
            byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            return model -> image(model, bytes);
        }
        if (mime.equals("multipart/form-data")) {
            List<FileUpload> files = ctx.fileUploads();
            if (files.size() != 1) {
                throw ServingException.badInput("multipart/form-data must carry exactly one file field with the "
                        + "image, found " + files.size());
            }
            Path file = Path.of(files.get(0).uploadedFileName());
            return model -> image(model, read(file));
        }
        if (mime.equals("application/json")) {
            String body = ctx.body().asString();
            return model -> json(model, body);
        }
        throw new ServingException(ServingException.Kind.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + type
                + " is not supported by /predict; send an image (image/*, application/octet-stream), "
                + "multipart/form-data with one file, or application/json {\"image\": \"<base64>\"} or "
                + "{\"instances\": [...]}");
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Tensor> image(ModelInputs model, byte[] bytes) {
        Tensor t = model.image(bytes);
        return Map.of(model.imageInput(), t);
    }

    private static Map<String, Tensor> json(ModelInputs model, String body) {
        JsonObject o;
        try {
            o = new JsonObject(body == null ? "" : body);
        } catch (DecodeException | ClassCastException e) {
            throw ServingException.badInput("malformed JSON: expected {\"image\": \"<base64>\"} or {\"instances\": [...]}");
        }
        if (o.getValue("image") instanceof String b64) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(b64.replaceFirst("^data:[^,]*,", "").replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw ServingException.badInput("\"image\" is not valid base64: " + e.getMessage());
            }
            return image(model, bytes);
        }
        if (o.getValue("instances") instanceof JsonArray instances) {
            return instances(model, instances);
        }
        throw ServingException.badInput("JSON body needs \"image\" (base64 string) or \"instances\" (array)");
    }

    /** Rows of a single input, or rows of {input name: value} objects for several inputs. */
    private static Map<String, Tensor> instances(ModelInputs model, JsonArray instances) {
        List<TensorSpec> inputs = model.signature().inputs();
        if (instances.isEmpty()) {
            throw ServingException.badInput("\"instances\" is empty");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (instances.getValue(0) instanceof JsonObject) {
            for (TensorSpec spec : inputs) {
                List<Object> rows = new ArrayList<>();
                for (Object row : instances) {
                    if (!(row instanceof JsonObject r) || !r.containsKey(spec.name())) {
                        throw ServingException.badInput("every instance needs a value for input '" + spec.name() + "'");
                    }
                    rows.add(plain(r.getValue(spec.name())));
                }
                out.put(spec.name(), TensorJson.fromNested(rows, spec.dataType()));
            }
            return out;
        }
        if (inputs.size() != 1) {
            throw ServingException.badInput("the model has " + inputs.size() + " inputs; send instances as objects "
                    + "keyed by input name " + inputs.stream().map(TensorSpec::name).toList());
        }
        TensorSpec spec = inputs.get(0);
        out.put(spec.name(), TensorJson.fromNested(plain(instances), spec.dataType()));
        return out;
    }

    private static Object plain(Object v) {
        if (v instanceof JsonArray a) {
            List<Object> l = new ArrayList<>(a.size());
            for (Object x : a) {
                l.add(plain(x));
            }
            return l;
        }
        return v;
    }

    private static int topK(RoutingContext ctx) {
        String k = ctx.request().getParam("top_k");
        if (k == null) {
            return 0;
        }
        try {
            int v = Integer.parseInt(k);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ServingException.badInput("top_k must be a positive whole number, got '" + k + "'");
    }

    static byte[] render(ModelInfo model, Map<String, Tensor> outputs, int topK) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = TensorJson.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model_name", model.name());
            Tensor first = outputs.values().iterator().next();
            g.writeFieldName("predictions");
            TensorJson.writeNested(g, first);
            if (topK > 0) {
                g.writeFieldName("top_k");
                TopK.write(g, first, topK, model.labels());
            }
            g.writeFieldName("outputs");
            TensorJson.writeOutputs(g, outputs);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
