package com.modelfactory.runtime.fetch;

import com.modelfactory.runtime.engine.ModelFormat;
import java.nio.file.Path;

/**
 * The model ready for an engine, and where it came from, for logs and GET /model.
 *
 * @param modelPath    what the engine loads (see {@link com.modelfactory.runtime.format.Detection#modelPath()})
 * @param format       the detected or configured format
 * @param formatReason why that format, e.g. "an ONNX ModelProto (ir_version 7, …); at model/model/m.onnx"
 * @param source       the URL with its secrets redacted, or the local path
 * @param cacheKey     the cache entry under MODEL_DIR ("id/version", "url-…", "archive-…"), null for a
 *                     model used in place
 * @param fromCache    true when an earlier start had already downloaded and unpacked it
 */
public record AcquiredModel(Path modelPath, ModelFormat format, String formatReason, String source, String cacheKey,
                            boolean fromCache) {
}
