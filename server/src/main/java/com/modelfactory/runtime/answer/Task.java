package com.modelfactory.runtime.answer;

import java.util.Locale;

/** What a model's outputs are turned into. */
public enum Task {
    CLASSIFICATION, DETECTION, SEMANTIC_SEGMENTATION, INSTANCE_SEGMENTATION,
    /** Records in, an answer per record out: PMML and ONNX-ML models (see {@link TabularAnswers}). */
    TABULAR,
    /** The tensors themselves: no answer (the behaviour before tasks existed). */
    RAW;

    /** The name in configuration and answers ("semantic_segmentation"). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Task parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    /** Answers with boxes. */
    public boolean boxes() {
        return this == DETECTION || this == INSTANCE_SEGMENTATION;
    }
}
