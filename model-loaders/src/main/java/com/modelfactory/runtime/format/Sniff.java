package com.modelfactory.runtime.format;

import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Path;

/**
 * What one file's content says it is.
 *
 * @param file   the file
 * @param format the model format, or null when the file is not a model (data, labels, a weights-only file…)
 * @param reason what was seen, for the detection reason or the "found" list of an error
 * @param weightsOnly a Keras weights-only H5 served with the architecture JSON beside it
 */
record Sniff(Path file, ModelFormat format, String reason, boolean weightsOnly) {
    Sniff(Path file, ModelFormat format, String reason) {
        this(file, format, reason, false);
    }

    boolean isModel() {
        return format != null;
    }

    boolean servable() {
        return format != null && format.servable();
    }
}
