package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.RuntimeConfig.TaskSettings;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.modelfactory.runtime.engine.TabularSchema;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides a model's task and decoder: as configured, else recognised only where the model says so
 * unambiguously (Ultralytics ONNX metadata, the TF Object Detection API's output names, MMDeploy's
 * {@code dets} + {@code labels}, a single [N, C] output for a classifier); anything else stays raw. In
 * two steps, since the image input's resize depends on the family (Ultralytics letterboxes) and the
 * decoder's fit on the input size: {@link #recognise}, then {@link #build} once the input is known.
 */
public final class TaskResolver {
    private TaskResolver() {
    }

    /**
     * What the configuration and the model say.
     *
     * @param ultralytics the model carries Ultralytics metadata: letterbox by default
     * @param imgsz       Ultralytics' imgsz (width, height), or null
     * @param names       class names from the model's metadata (empty when none)
     */
    public record Recognition(Task task, String decoder, String reason, boolean ultralytics, int[] imgsz,
                              List<String> names, TabularSchema tabular) {
        public Recognition(Task task, String decoder, String reason, boolean ultralytics, int[] imgsz,
                           List<String> names) {
            this(task, decoder, reason, ultralytics, imgsz, names, null);
        }
    }

    private static final Set<String> TF_OD = Set.of("detection_boxes", "detection_scores", "detection_classes");

    public static Recognition recognise(TaskSettings cfg, Signature sig, Map<String, String> meta, Decoders decoders) {
        return recognise(cfg, sig, meta, decoders, Optional.empty());
    }

    /**
     * As {@link #recognise(TaskSettings, Signature, Map, Decoders)} for a model that may say it is tabular (PMML,
     * ONNX-ML): such a model answers records unless configured otherwise ({@code task: raw} keeps tensors).
     */
    public static Recognition recognise(TaskSettings cfg, Signature sig, Map<String, String> meta, Decoders decoders,
                                        Optional<TabularSchema> tabular) {
        if (tabular.isPresent() && (cfg.task() == null || Task.parse(cfg.task()) == Task.TABULAR)
                && cfg.decoder() == null) {
            return new Recognition(Task.TABULAR, null, cfg.task() != null ? "configured (task: tabular)"
                    : "a tabular model: its fields say which output is the prediction", false, null, List.of(),
                    tabular.get());
        }
        if (cfg.task() != null && Task.parse(cfg.task()) == Task.TABULAR) {
            if (tabular.isPresent()) {
                throw new ConfigException("decoder " + cfg.decoder() + " does not apply to task tabular: a tabular "
                        + "model's answers come from its fields; remove decoder");
            }
            throw new ConfigException("task tabular is for PMML and ONNX-ML models (column inputs, a label or "
                    + "ZipMap output); this model's outputs are " + Outputs.shapes(sig.outputs()));
        }
        boolean ultra = meta.containsKey("task") && (meta.containsKey("names") || meta.getOrDefault("author", "")
                .contains("Ultralytics"));
        int[] imgsz = ultra ? imgsz(meta.get("imgsz")) : null;
        List<String> names = ultra ? names(meta.get("names")) : List.of();
        if (cfg.task() != null) {
            Task task = Task.parse(cfg.task());
            String decoder = cfg.decoder() != null ? cfg.decoder() : defaultDecoder(task, sig, meta, ultra);
            return new Recognition(task, decoder, "configured (task: " + cfg.task()
                    + (cfg.decoder() != null ? ", decoder: " + cfg.decoder() : "") + ")", ultra, imgsz, names);
        }
        if (cfg.decoder() != null) {
            return new Recognition(taskOf(cfg.decoder(), decoders), cfg.decoder(), "configured (decoder: "
                    + cfg.decoder() + ")", ultra, imgsz, names);
        }
        if (ultra) {
            String t = meta.get("task");
            String why = "Ultralytics metadata task '" + t + "'";
            return switch (t) {
                case "detect" -> new Recognition(Task.DETECTION, endToEnd(sig, meta) ? "end2end" : "yolov8", why, true,
                        imgsz, names);
                case "segment" -> endToEnd(sig, meta)
                        ? new Recognition(Task.RAW, null, why + " with end-to-end outputs: no decoder for those yet; raw",
                                true, imgsz, names)
                        : new Recognition(Task.INSTANCE_SEGMENTATION, "yolov8_seg", why, true, imgsz, names);
                case "classify" -> new Recognition(Task.CLASSIFICATION, null, why, true, imgsz, names);
                default -> new Recognition(Task.RAW, null, why + " is not one the runtime answers (detect, segment, "
                        + "classify): raw", true, imgsz, names);
            };
        }
        List<String> outs = sig.outputs().stream().map(TensorSpec::name).toList();
        if (outs.containsAll(TF_OD)) {
            return new Recognition(Task.DETECTION, "tf_od_api", "TF Object Detection API output names", false, null,
                    names);
        }
        if (outs.contains("dets") && outs.contains("labels")) {
            return new Recognition(Task.DETECTION, "mmdeploy", "MMDeploy outputs dets + labels", false, null, names);
        }
        if (sig.outputs().size() == 1 && sig.outputs().get(0).rank() == 2) {
            return new Recognition(Task.CLASSIFICATION, null, "a single [N, C] output", false, null, names);
        }
        return new Recognition(Task.RAW, null, "outputs " + Outputs.shapes(sig.outputs()) + " do not say which task; "
                + "set task and decoder for answers", false, null, names);
    }

    private static boolean endToEnd(Signature sig, Map<String, String> meta) {
        TensorSpec o = sig.outputs().get(0);
        return "true".equalsIgnoreCase(meta.getOrDefault("end2end", "false")) || (o.rank() == 3 && o.dim(2) == 6);
    }

    private static String defaultDecoder(Task task, Signature sig, Map<String, String> meta, boolean ultra) {
        return switch (task) {
            case INSTANCE_SEGMENTATION -> "yolov8_seg";
            case SEMANTIC_SEGMENTATION -> Decoders.SEMANTIC;
            case DETECTION -> {
                List<String> outs = sig.outputs().stream().map(TensorSpec::name).toList();
                if (outs.containsAll(TF_OD)) {
                    yield "tf_od_api";
                }
                if (outs.contains("dets") && outs.contains("labels")) {
                    yield "mmdeploy";
                }
                if (ultra) {
                    yield endToEnd(sig, meta) ? "end2end" : "yolov8";
                }
                throw new ConfigException("task detection needs a decoder for outputs " + Outputs.shapes(sig.outputs())
                        + ": set decoder (yolov8, yolov5, yolox, end2end, mmdeploy, tf_od_api, boxes_scores)");
            }
            default -> null;
        };
    }

    private static Task taskOf(String decoder, Decoders decoders) {
        if (decoder.equals(Decoders.SEMANTIC)) {
            return Task.SEMANTIC_SEGMENTATION;
        }
        OutputDecoder d = decoders.get(decoder);
        if (d == null) {
            throw new ConfigException("unknown decoder '" + decoder + "'; known: " + decoders.names());
        }
        return d.task();
    }

    /**
     * The model's task, its decoder checked against the outputs (a mismatch stops start-up, naming the
     * shapes).
     *
     * @param configuredNames YMIR's class_names, else null
     * @param fileNames       labels.txt (or LABELS_PATH), else empty
     * @param inputWidth      the image input's width (0: images at their own size, or no image input)
     * @param channelsLast    the image input is NHWC (semantic scores are then read as [B, h, w, C])
     */
    public static ModelTask build(Recognition r, TaskSettings cfg, Signature sig, Decoders decoders,
                                  List<String> configuredNames, List<String> fileNames, int inputWidth,
                                  int inputHeight, boolean channelsLast) {
        AnswerOptions defaults = new AnswerOptions(cfg.conf(), cfg.iou(), cfg.maxDet(), cfg.agnosticNms(), 0);
        OutputDecoder decoder = null;
        if (r.task().boxes()) {
            decoder = decoders.get(r.decoder());
            if (decoder == null) {
                throw new ConfigException("unknown decoder '" + r.decoder() + "'; known: " + decoders.names());
            }
            if (decoder.task() != r.task()) {
                throw new ConfigException("decoder '" + r.decoder() + "' answers " + decoder.task().wireName()
                        + ", not " + r.task().wireName());
            }
            boolean known = sig.outputs().stream().allMatch(TensorSpec::shapeKnown);
            String mismatch = known ? decoder.mismatch(sig.outputs(), inputWidth, inputHeight) : null;
            if (mismatch != null) {
                throw new ConfigException("decoder '" + r.decoder() + "' does not fit this model: it " + mismatch
                        + "; the model's outputs are " + Outputs.shapes(sig.outputs()));
            }
        } else if (r.task() == Task.SEMANTIC_SEGMENTATION && sig.outputs().get(0).shapeKnown()) {
            TensorSpec o = sig.outputs().get(0);
            if (o.rank() != 4) {
                throw new ConfigException("semantic segmentation expects output 0 as class scores [batch, C, h, w] or "
                        + "[batch, h, w, C], got " + Outputs.shapes(sig.outputs()));
            }
            long classes = channelsLast ? o.dim(3) : o.dim(1);
            if (classes > 256) {
                throw new ConfigException("semantic segmentation with " + classes + " classes: at most 256 supported");
            }
        } else if (r.task() == Task.CLASSIFICATION && sig.outputs().get(0).shapeKnown()
                && sig.outputs().get(0).rank() != 2) {
            throw new ConfigException("classification expects output 0 as [batch, classes], got "
                    + Outputs.shapes(sig.outputs()));
        }
        int firstId = decoder != null ? decoder.firstClassId() : 0;
        Labels labels = configuredNames != null && !configuredNames.isEmpty()
                ? new Labels(configuredNames, firstId, "class_names")
                : !fileNames.isEmpty() ? new Labels(fileNames, firstId, "labels file")
                : !r.names().isEmpty() ? new Labels(r.names(), firstId, "model metadata")
                : new Labels(List.of(), firstId, "none (class ids as text)");
        return new ModelTask(r.task(), decoder, channelsLast, labels, defaults, cfg.scores(), r.reason(), inputWidth,
                inputHeight, cfg.postprocess() && r.task().boxes(), new ModelTask.Counters(), r.tabular());
    }

    private static final Pattern NAME = Pattern.compile("(\\d+)\\s*:\\s*(?:'((?:[^'\\\\]|\\\\.)*)'|\"((?:[^\"\\\\]|\\\\.)*)\")");

    /** Ultralytics' names, a Python dict literal {0: 'person', 1: 'bicycle', ...}, in id order. */
    static List<String> names(String dict) {
        List<String> out = new ArrayList<>();
        if (dict == null) {
            return out;
        }
        Matcher m = NAME.matcher(dict);
        while (m.find()) {
            int id = Integer.parseInt(m.group(1));
            String name = m.group(2) != null ? m.group(2) : m.group(3);
            while (out.size() <= id) {
                out.add(Integer.toString(out.size()));
            }
            out.set(id, name.replace("\\'", "'").replace("\\\"", "\""));
        }
        return out;
    }

    /** Ultralytics' imgsz, "[320, 320]" (height, width) or "640", as {width, height}; null when unreadable. */
    static int[] imgsz(String s) {
        if (s == null) {
            return null;
        }
        Matcher m = Pattern.compile("\\d+").matcher(s);
        List<Integer> v = new ArrayList<>();
        while (m.find()) {
            v.add(Integer.parseInt(m.group()));
        }
        if (v.size() == 1) {
            return new int[] {v.get(0), v.get(0)};
        }
        return v.size() == 2 ? new int[] {v.get(1), v.get(0)} : null;
    }
}
