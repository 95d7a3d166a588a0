package com.modelfactory.runtime.batch.ymir;

import com.modelfactory.runtime.answer.ModelTask;
import com.modelfactory.runtime.answer.Task;
import com.modelfactory.runtime.config.ConfigException;

/**
 * Which infer-result.json the task gets, from config.yaml's object_type (YMIR.md section 2: 2 detection,
 * 3 semantic and 4 instance segmentation) and what the model answers; without object_type, the model's
 * own task decides (a classifier keeps this runtime's classification layout, which YMIR does not read).
 */
enum ResultKind {
    CLASSIFICATION, DETECTION, SEMANTIC_SEGMENTATION, INSTANCE_SEGMENTATION;

    static ResultKind of(Integer objectType, ModelTask model) {
        Task task = model.task();
        if (objectType == null) {
            return switch (task) {
                case CLASSIFICATION -> CLASSIFICATION;
                case DETECTION -> DETECTION;
                case SEMANTIC_SEGMENTATION -> SEMANTIC_SEGMENTATION;
                case INSTANCE_SEGMENTATION -> INSTANCE_SEGMENTATION;
                case RAW -> throw new ConfigException("the model's task is raw (" + model.reason() + "): it gives no "
                        + "answer YMIR can read; set task and decoder in model-config.yaml");
                case TABULAR -> throw new ConfigException("the model is tabular (records in, answers out): YMIR "
                        + "executors answer images");
            };
        }
        ResultKind wanted = switch (objectType) {
            case 1 -> CLASSIFICATION;
            case 2 -> DETECTION;
            case 3 -> SEMANTIC_SEGMENTATION;
            case 4 -> INSTANCE_SEGMENTATION;
            default -> throw new ConfigException("object_type " + objectType + " is not one this executor answers "
                    + "(2 detection, 3 semantic segmentation, 4 instance segmentation)");
        };
        boolean fits = switch (wanted) {
            case DETECTION -> task.boxes();
            case CLASSIFICATION -> task == Task.CLASSIFICATION;
            case SEMANTIC_SEGMENTATION -> task == Task.SEMANTIC_SEGMENTATION;
            case INSTANCE_SEGMENTATION -> task == Task.INSTANCE_SEGMENTATION;
        };
        if (!fits) {
            throw new ConfigException("object_type " + objectType + " (" + wanted.name().toLowerCase()
                    + ") cannot be answered by this model: its task is " + task.wireName() + " (" + model.reason() + ")");
        }
        return wanted;
    }
}
