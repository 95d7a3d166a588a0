package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.modelfactory.runtime.ServedModel;
import com.modelfactory.runtime.engine.InvalidInputException;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.engine.TensorSpec;
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
import java.util.function.Supplier;

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
        ServedModel model = api.modelOr503(ctx);
        if (model == null) {
            return;
        }
        int topK = topK(ctx);
        Supplier<Map<String, Tensor>> parse = parser(ctx, model);
        if (parse != null) {
            api.respond(ctx, model, parse, outputs -> render(model, outputs, topK));
        }
    }

    private Supplier<Map<String, Tensor>> parser(RoutingContext ctx, ServedModel model) {
        String type = ctx.request().getHeader("Content-Type");
        String mime = type == null ? "" : type.split(";")[0].trim().toLowerCase();
        if (mime.startsWith("image/") || mime.equals("application/octet-stream") || mime.isEmpty()) {
            byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            return () -> image(model, bytes);
        }
        if (mime.equals("multipart/form-data")) {
            List<FileUpload> files = ctx.fileUploads();
            if (files.size() != 1) {
                ctx.fail(new InvalidInputException("multipart/form-data must carry exactly one file field with the image, "
                        + "found " + files.size()));
                return null;
            }
            Path file = Path.of(files.get(0).uploadedFileName());
            return () -> image(model, read(file));
        }
        if (mime.equals("application/json")) {
            String body = ctx.body().asString();
            return () -> json(model, body);
        }
        ctx.fail(new HttpException(415, "Content-Type " + type + " is not supported by /predict; send an image "
                + "(image/*, application/octet-stream), multipart/form-data with one file, or application/json "
                + "{\"image\": \"<base64>\"} or {\"instances\": [...]}"));
        return null;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Tensor> image(ServedModel model, byte[] bytes) {
        if (model.images() == null) {
            throw new InvalidInputException("this model cannot take an image: " + model.imageProblem());
        }
        Tensor t = model.images().toTensor(bytes);
        return Map.of(model.images().spec().inputName(), t);
    }

    private static Map<String, Tensor> json(ServedModel model, String body) {
        JsonObject o;
        try {
            o = new JsonObject(body == null ? "" : body);
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidInputException("malformed JSON: expected {\"image\": \"<base64>\"} or {\"instances\": [...]}");
        }
        if (o.getValue("image") instanceof String b64) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(b64.replaceFirst("^data:[^,]*,", "").replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("\"image\" is not valid base64: " + e.getMessage());
            }
            return image(model, bytes);
        }
        if (o.getValue("instances") instanceof JsonArray instances) {
            return instances(model, instances);
        }
        throw new InvalidInputException("JSON body needs \"image\" (base64 string) or \"instances\" (array)");
    }

    /** Rows of a single input, or rows of {input name: value} objects for several inputs. */
    private static Map<String, Tensor> instances(ServedModel model, JsonArray instances) {
        List<TensorSpec> inputs = model.signature().inputs();
        if (instances.isEmpty()) {
            throw new InvalidInputException("\"instances\" is empty");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (instances.getValue(0) instanceof JsonObject) {
            for (TensorSpec spec : inputs) {
                List<Object> rows = new ArrayList<>();
                for (Object row : instances) {
                    if (!(row instanceof JsonObject r) || !r.containsKey(spec.name())) {
                        throw new InvalidInputException("every instance needs a value for input '" + spec.name() + "'");
                    }
                    rows.add(plain(r.getValue(spec.name())));
                }
                out.put(spec.name(), TensorJson.fromNested(rows, spec.dataType()));
            }
            return out;
        }
        if (inputs.size() != 1) {
            throw new InvalidInputException("the model has " + inputs.size() + " inputs; send instances as objects "
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
        throw new InvalidInputException("top_k must be a positive whole number, got '" + k + "'");
    }

    static byte[] render(ServedModel model, Map<String, Tensor> outputs, int topK) {
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
