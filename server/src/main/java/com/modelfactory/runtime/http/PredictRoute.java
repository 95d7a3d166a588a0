package com.modelfactory.runtime.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.modelfactory.runtime.answer.AnswerOptions;
import com.modelfactory.runtime.answer.ImageAnswer;
import com.modelfactory.runtime.answer.ModelTask;
import com.modelfactory.runtime.answer.Task;
import com.modelfactory.runtime.engine.Messages;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ModelInputs;
import com.modelfactory.runtime.serving.RequestDecoder;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        ModelInfo info = service.info();
        ModelTask task = info.task();
        AnswerOptions options = options(ctx, task);
        boolean raw = flag(ctx, "raw");
        if (task.task() == Task.TABULAR && !raw) {
            tabular(ctx, service, info);
            return;
        }
        RequestDecoder decoder = decoder(ctx, api.maxBodyBytes());
        if (options.topK() > 0 && task.task() != Task.CLASSIFICATION && task.task() != Task.RAW) {
            throw ServingException.badInput("top_k is for classifiers; this model's task is "
                    + task.task().wireName() + " and its first output is " + info.signature().outputs().get(0));
        }
        if (task.task() == Task.CLASSIFICATION || raw || task.task() == Task.RAW) {
            boolean answerTopK = options.topK() > 0;
            api.respond(ctx, service.run(decoder), r -> HttpBody.json(render(info, r.outputs(),
                    answerTopK ? task.topClasses(r.outputs(), options) : null)));
            return;
        }
        api.respond(ctx, service.run(decoder), r -> HttpBody.json(AnswerJson.predict(info,
                task.answer(r.outputs(), r.frames(), options))));
    }

    /** Records in JSON, an answer per record out (PMML, ONNX-ML). */
    private void tabular(RoutingContext ctx, InferenceService service, ModelInfo info) {
        String type = ctx.request().getHeader("Content-Type");
        String mime = type == null ? "" : type.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!mime.equals("application/json") && !mime.isEmpty() && !mime.equals("application/octet-stream")) {
            throw new ServingException(ServingException.Kind.UNSUPPORTED_MEDIA_TYPE, "this model takes records: send "
                    + "application/json {\"instances\": [{field: value, ...}]}, not " + type);
        }
        RequestBody body = RequestBody.of(ctx, api.maxBodyBytes());
        api.respond(ctx, service.run(model -> TabularJson.read(body.bytes(), info.signature(), new boolean[1])),
                r -> HttpBody.json(TabularJson.predict(info, r.outputs())));
    }

    /** The model's post-processing defaults with this request's conf, iou, max_det and top_k. */
    private static AnswerOptions options(RoutingContext ctx, ModelTask task) {
        var q = ctx.request();
        return task.defaults().with(q.getParam("conf"), q.getParam("iou"), q.getParam("max_det"), q.getParam("top_k"));
    }

    private static boolean flag(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "", "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ServingException.badInput(name + " must be true or false, got '" + v + "'");
        };
    }

    private static RequestDecoder decoder(RoutingContext ctx, long maxBodyBytes) {
        String type = ctx.request().getHeader("Content-Type");
        String mime = type == null ? "" : type.split(";")[0].trim().toLowerCase();
        if (mime.startsWith("image/") || mime.equals("application/octet-stream") || mime.isEmpty()) {
            RequestBody body = RequestBody.of(ctx, maxBodyBytes);
            // no type, or curl's default form type (turned into octet-stream by HttpApi.asIs): JSON is told by its bytes
            boolean form = Boolean.TRUE.equals(ctx.get(HttpApi.SENT_AS_FORM));
            return model -> {
                if (!mime.startsWith("image/") && looksLikeJsonObject(body.bytes())) {
                    return json(model, body.bytes());
                }
                try {
                    return image(model, body.bytes());
                } catch (ServingException e) {
                    if (!form || e.kind() != ServingException.Kind.BAD_INPUT) {
                        throw e;
                    }
                    throw new ServingException(ServingException.Kind.UNSUPPORTED_MEDIA_TYPE, "the body came as "
                            + "application/x-www-form-urlencoded (curl's default for -d and --data-binary) and is "
                            + "neither an image nor JSON: " + e.getMessage() + "; send an image (-H 'Content-Type: "
                            + "image/jpeg'), multipart (-F file=@photo.jpg) or JSON {\"instances\": [...]}");
                }
            };
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
            RequestBody body = RequestBody.of(ctx, maxBodyBytes);
            return model -> json(model, body.bytes());
        }
        throw new ServingException(ServingException.Kind.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + type
                + " is not supported by /predict; send an image (image/*, application/octet-stream), "
                + "multipart/form-data with one file, or application/json {\"image\": \"<base64>\"} or "
                + "{\"instances\": [...]}");
    }

    /** Whether the body's first byte that is not white space opens a JSON object. */
    static boolean looksLikeJsonObject(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b == '{';
            }
        }
        return false;
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

    /** {"image": "<base64>"} or {"instances": [...]}, read in one streaming pass. */
    private static Map<String, Tensor> json(ModelInputs model, byte[] body) {
        try (JsonParser p = TensorJson.JSON.createParser(body)) {
            TensorJson.expect(p.nextToken() == JsonToken.START_OBJECT, EXPECTED);
            Map<String, Tensor> inputs = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("image") && t == JsonToken.VALUE_STRING) {
                    byte[] image = JsonRows.Base64Text.decode(p.getText(), "\"image\"");
                    inputs = image(model, image);
                } else if (field.equals("instances") && t == JsonToken.START_ARRAY) {
                    inputs = JsonRows.read(body, p.currentTokenLocation().getByteOffset(), model, "\"instances\"");
                    p.skipChildren();
                } else {
                    p.skipChildren();
                }
            }
            TensorJson.expectEnd(p);
            TensorJson.expect(inputs != null, "JSON body needs \"image\" (base64 string) or \"instances\" (array)");
            return inputs;
        } catch (IOException e) {
            throw ServingException.badInput("malformed JSON (" + Messages.firstLine(e.getMessage()) + "): " + EXPECTED);
        }
    }

    private static final String EXPECTED = "expected {\"image\": \"<base64>\"} or {\"instances\": [...]}";

    /** @param classes the classifier's answers when top_k was asked, else null */
    static byte[] render(ModelInfo model, Map<String, Tensor> outputs, List<ImageAnswer> classes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = TensorJson.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model_name", model.name());
            g.writeStringField("task", model.task().task().wireName());
            Tensor first = outputs.values().iterator().next();
            g.writeFieldName("predictions");
            TensorJsonWriter.writeNested(g, first);
            if (classes != null) {
                g.writeFieldName("top_k");
                TopK.write(g, classes);
            }
            g.writeFieldName("outputs");
            TensorJsonWriter.writeOutputs(g, outputs);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
