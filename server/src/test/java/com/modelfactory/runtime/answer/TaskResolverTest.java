package com.modelfactory.runtime.answer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.RuntimeConfig.TaskSettings;
import com.modelfactory.runtime.engine.DataType;
import com.modelfactory.runtime.engine.Signature;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.StartupException;
import com.modelfactory.runtime.testing.TestRuntime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskResolverTest {
    static Signature outputs(TensorSpec... outs) {
        return new Signature(List.of(new TensorSpec("images", DataType.FP32, new long[] {1, 3, 320, 320})),
                List.of(outs), true, 0);
    }

    static TensorSpec t(String name, long... shape) {
        return new TensorSpec(name, DataType.FP32, shape);
    }

    static final Map<String, String> ULTRALYTICS = Map.of("task", "detect", "author", "Ultralytics",
            "names", "{0: 'person', 1: 'bi\\'cycle', 2: \"car\"}", "imgsz", "[320, 480]", "stride", "32");

    @Test
    void ultralyticsMetadataIsReadAsUltralyticsWritesIt() {
        assertEquals(List.of("person", "bi'cycle", "car"), TaskResolver.names(ULTRALYTICS.get("names")));
        assertArrayEquals(new int[] {480, 320}, TaskResolver.imgsz("[320, 480]"), "width, height");
        assertArrayEquals(new int[] {640, 640}, TaskResolver.imgsz("640"));
        TaskResolver.Recognition r = TaskResolver.recognise(TaskSettings.DEFAULT, outputs(t("output0", 1, 7, 2100)),
                ULTRALYTICS, Decoders.builtIn());
        assertEquals(Task.DETECTION, r.task());
        assertEquals("yolov8", r.decoder());
        assertTrue(r.ultralytics());
        ModelTask task = TaskResolver.build(r, TaskSettings.DEFAULT, outputs(t("output0", 1, 7, 2100)),
                Decoders.builtIn(), null, List.of(), 320, 320, false);
        assertEquals("car", task.labels().of(2));
        assertEquals("model metadata", task.labels().source());
    }

    @Test
    void recognisedOnlyWhereTheModelSaysSo() {
        TaskSettings auto = TaskSettings.DEFAULT;
        Decoders d = Decoders.builtIn();
        assertEquals("tf_od_api", TaskResolver.recognise(auto, outputs(t("detection_boxes", 1, 10, 4),
                t("detection_scores", 1, 10), t("detection_classes", 1, 10), t("num_detections", 1)), Map.of(), d)
                .decoder());
        assertEquals("mmdeploy", TaskResolver.recognise(auto, outputs(t("dets", 1, 100, 5), t("labels", 1, 100)),
                Map.of(), d).decoder());
        assertEquals(Task.CLASSIFICATION, TaskResolver.recognise(auto, outputs(t("logits", -1, 1000)), Map.of(), d)
                .task());
        TaskResolver.Recognition raw = TaskResolver.recognise(auto, outputs(t("output0", 1, 84, 8400)), Map.of(), d);
        assertEquals(Task.RAW, raw.task(), "a YOLO-like shape without metadata is not guessed");
        assertTrue(raw.reason().contains("[1, 84, 8400]"), raw.reason());
        assertEquals(Task.RAW, TaskResolver.recognise(auto, outputs(t("output0", 1, 56, 8400)),
                Map.of("task", "pose", "names", "{0: 'person'}"), d).task(), "pose is not answered");
    }

    @Test
    void classNamesComeFromTheTaskThenTheLabelsFileThenTheModel() {
        TaskResolver.Recognition r = TaskResolver.recognise(TaskSettings.DEFAULT, outputs(t("output0", 1, 7, 2100)),
                ULTRALYTICS, Decoders.builtIn());
        Signature s = outputs(t("output0", 1, 7, 2100));
        assertEquals("a", TaskResolver.build(r, TaskSettings.DEFAULT, s, Decoders.builtIn(), List.of("a", "b"),
                List.of("x"), 320, 320, false).labels().of(0));
        assertEquals("x", TaskResolver.build(r, TaskSettings.DEFAULT, s, Decoders.builtIn(), null, List.of("x"),
                320, 320, false).labels().of(0));
        assertEquals("7", TaskResolver.build(r, TaskSettings.DEFAULT, s, Decoders.builtIn(), null, List.of(),
                320, 320, false).labels().of(7), "the id as text past the names");
    }

    @Test
    void aConfiguredDecoderTheOutputsDoNotFitNamesTheShapes() {
        TaskSettings yolox = new TaskSettings(null, "yolox", 0.25f, 0.45f, 300, false, "auto", false, null, null);
        Signature s = outputs(t("output", 1, 3000, 8));
        TaskResolver.Recognition r = TaskResolver.recognise(yolox, s, Map.of(), Decoders.builtIn());
        ConfigException e = assertThrows(ConfigException.class, () -> TaskResolver.build(r, yolox, s,
                Decoders.builtIn(), null, List.of(), 416, 416, false));
        assertTrue(e.getMessage().contains("[1, 3000, 8]") && e.getMessage().contains("3549"), e.getMessage());
        TaskSettings unknown = new TaskSettings(null, "nope", 0.25f, 0.45f, 300, false, "auto", false, null, null);
        assertThrows(ConfigException.class, () -> TaskResolver.recognise(unknown, s, Map.of(), Decoders.builtIn()));
    }

    @Test
    void aDecoderThatDoesNotFitStopsStartUpWithTheConfigurationExitCode() {
        StartupException e = assertThrows(StartupException.class, () -> TestRuntime.start("--model",
                TestRuntime.fixture("onnx/tiny_cnn/model.onnx").toString(), "--decoder", "yolov8").close());
        assertEquals(ExitCodes.CONFIG, e.exitCode());
        assertTrue(e.getMessage().contains("yolov8") && e.getMessage().contains("does not fit"), e.getMessage());
    }
}
