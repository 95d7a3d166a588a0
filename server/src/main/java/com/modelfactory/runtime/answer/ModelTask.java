package com.modelfactory.runtime.answer;

import com.modelfactory.runtime.engine.TabularSchema;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.image.ImageFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * One model's task, fixed at start: what its outputs mean and how they become answers. Called on the
 * batch worker that completed a request (after the engine, before the front end renders), once per
 * request; decoding and NMS reuse per-thread arrays.
 *
 * @param decoder     the box decoder (detection, instance segmentation), else null
 * @param channelsLast semantic scores as [B, h, w, C] rather than [B, C, h, w]
 * @param reason      why this task and decoder were chosen, for the log and the model metadata
 * @param inputWidth  the network input's width (boxes of tensor requests are in its pixels), 0 if own size
 * @param postprocess v2 REST/gRPC answer detection tensors unless a request says otherwise
 * @param tabular     for {@link Task#TABULAR}: the model's fields, else null
 */
public record ModelTask(Task task, OutputDecoder decoder, boolean channelsLast, Labels labels, AnswerOptions defaults,
                        String scores, String reason, int inputWidth, int inputHeight, boolean postprocess,
                        Counters counters, TabularSchema tabular) {

    /** What post-processing cost and refused, for the metrics. */
    public record Counters(LongAdder droppedBoxes, LongAdder nanos, LongAdder images) {
        public Counters() {
            this(new LongAdder(), new LongAdder(), new LongAdder());
        }
    }

    public static ModelTask raw(String reason) {
        return new ModelTask(Task.RAW, null, false, Labels.NONE, new AnswerOptions(0.25f, 0.45f, 300, false, 0),
                "auto", reason, 0, 0, false, new Counters(), null);
    }

    /** The decoder's name, or the task's way ("softmax", "argmax") when it has none. */
    public String decoderName() {
        return decoder != null ? decoder.name() : switch (task) {
            case CLASSIFICATION -> "top_k";
            case SEMANTIC_SEGMENTATION -> "semantic";
            default -> "none";
        };
    }

    private static final ThreadLocal<Candidates> CANDIDATES = ThreadLocal.withInitial(Candidates::new);
    private static final ThreadLocal<Nms> NMS = ThreadLocal.withInitial(Nms::new);

    /**
     * The answer for each item of a request.
     *
     * @param frames where each item's image went (empty for tensor requests: answers in input pixels)
     */
    public List<ImageAnswer> answer(Map<String, Tensor> outputs, List<ImageFrame> frames, AnswerOptions o) {
        if (task == Task.RAW) {
            throw ServingException.badInput("this model's task is raw (" + reason + "): it answers tensors only; "
                    + "set task and decoder in model-config.yaml for answers");
        }
        long start = System.nanoTime();
        Tensor first = outputs.values().iterator().next();
        int items = first.shape().length == 0 ? 1 : (int) first.shape()[0];
        List<ImageAnswer> out = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            ImageFrame f = i < frames.size() ? frames.get(i) : null;
            out.add(answerItem(outputs, i, f, o));
        }
        counters.nanos().add(System.nanoTime() - start);
        counters.images().add(items);
        return out;
    }

    /**
     * The best classes of the first output for each item, for a classifier or a raw model whose first output
     * turns out to be one row of scores per item ([N, C]: a TorchScript classifier states no shapes);
     * anything else is a 400 naming the output's shape.
     */
    public List<ImageAnswer> topClasses(Map<String, Tensor> outputs, AnswerOptions o) {
        Tensor first = outputs.values().iterator().next();
        if (first.shape().length != 2) {
            throw ServingException.badInput("top_k needs one row of class scores per item, but the first output "
                    + "has shape " + Arrays.toString(first.shape()));
        }
        List<ImageAnswer> out = new ArrayList<>();
        for (int i = 0; i < first.shape()[0]; i++) {
            out.add(new ImageAnswer(Task.CLASSIFICATION, 0, 0, Classifier.top(first, i, o.topK(), scores, labels),
                    List.of(), List.of()));
        }
        return out;
    }

    private ImageAnswer answerItem(Map<String, Tensor> outputs, int item, ImageFrame f, AnswerOptions o) {
        int w = f == null ? inputWidth : f.width();
        int h = f == null ? inputHeight : f.height();
        return switch (task) {
            case CLASSIFICATION -> new ImageAnswer(task, w, h,
                    Classifier.top(outputs.values().iterator().next(), item, o.topK(), scores, labels), List.of(), List.of());
            case SEMANTIC_SEGMENTATION -> new ImageAnswer(task, w, h, List.of(), List.of(),
                    SemanticMasks.segments(outputs.values().iterator().next(), item, frameOrInput(f, outputs), channelsLast,
                            labels));
            default -> detections(outputs, item, frameOrInput(f, outputs), o);
        };
    }

    /** A tensor request has no image: its answer is in the network input's pixels. */
    private ImageFrame frameOrInput(ImageFrame f, Map<String, Tensor> outputs) {
        if (f != null) {
            return f;
        }
        if (inputWidth <= 0 || inputHeight <= 0) {
            if (task == Task.SEMANTIC_SEGMENTATION) {
                long[] s = outputs.values().iterator().next().shape();
                int mh = (int) (channelsLast ? s[1] : s[2]);
                int mw = (int) (channelsLast ? s[2] : s[3]);
                return ImageFrame.stretched(mw, mh, mw, mh);
            }
            throw ServingException.badInput("this model takes images at their own size: send the image itself "
                    + "(not a tensor) for detections");
        }
        return ImageFrame.stretched(inputWidth, inputHeight, inputWidth, inputHeight);
    }

    private ImageAnswer detections(Map<String, Tensor> outputs, int item, ImageFrame f, AnswerOptions o) {
        Candidates c = CANDIDATES.get();
        c.reset(f.inputWidth(), f.inputHeight());
        decoder.decode(outputs, item, o.conf(), c);
        counters.droppedBoxes().add(c.dropped());
        Nms nms = NMS.get();
        int kept = nms.run(c, o.iou(), o.agnostic(), o.maxDet(), decoder.needsNms());
        int[] order = nms.out();
        List<Detection> dets = new ArrayList<>(kept);
        List<Segment> segments = task == Task.INSTANCE_SEGMENTATION ? new ArrayList<>(kept) : List.of();
        InstanceMasks.Protos protos = task == Task.INSTANCE_SEGMENTATION && kept > 0
                ? InstanceMasks.read(outputs, item) : null;
        for (int k = 0; k < kept; k++) {
            int i = order[k];
            float x1 = clip(f.originalX(c.x1[i]), f.width());
            float y1 = clip(f.originalY(c.y1[i]), f.height());
            float x2 = clip(f.originalX(c.x2[i]), f.width());
            float y2 = clip(f.originalY(c.y2[i]), f.height());
            if (!(x2 > x1 && y2 > y1)) {
                counters.droppedBoxes().increment(); // nothing of it inside the image
                continue;
            }
            String label = labels.of(c.classId[i]);
            dets.add(new Detection(x1, y1, x2, y2, c.score[i], c.classId[i], label));
            if (protos != null) {
                float[] box = {c.x1[i], c.y1[i], c.x2[i], c.y2[i]};
                segments.add(InstanceMasks.segment(protos, c.anchor[i], box, f, c.classId[i], label, c.score[i]));
            }
        }
        return new ImageAnswer(task, f.width(), f.height(), List.of(), dets, segments);
    }

    private static float clip(float v, int size) {
        return Math.min(Math.max(v, 0f), size);
    }

    /** For GET /v2/models/{name} and the start-up log. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task.wireName());
        m.put("decoder", decoderName());
        m.put("reason", reason);
        if (task != Task.RAW) {
            m.put("classes", labels.names().size());
            m.put("class_names_from", labels.source());
        }
        if (task.boxes()) {
            m.put("conf_threshold", defaults.conf());
            m.put("iou_threshold", defaults.iou());
            m.put("max_det", defaults.maxDet());
            m.put("agnostic_nms", defaults.agnostic());
        }
        if (task == Task.CLASSIFICATION) {
            m.put("scores", scores);
        }
        return m;
    }

    @Override
    public String toString() {
        return task.wireName() + " (decoder " + decoderName() + "; " + reason + ")";
    }

    /** Shapes for error messages. */
    static String shape(long[] s) {
        return Arrays.toString(s);
    }
}
