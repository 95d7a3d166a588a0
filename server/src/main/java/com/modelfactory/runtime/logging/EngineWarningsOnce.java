package com.modelfactory.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Shows each distinct warning or error of an engine's Java logger once; repeats are counted, and
 * {@link #reportRepeats} writes one line per repeated warning with its count. A CPU-only start logged DJL's
 * "Failed to detect GPU count" twice; a model whose initializers are listed as inputs can make an engine say
 * the same thing hundreds of times. Our own loggers are never filtered (the access log repeats by design).
 */
final class EngineWarningsOnce extends TurboFilter {
    static final List<String> ENGINE_LOGGERS = List.of("ai.djl", "ai.onnxruntime", "org.tensorflow", "org.pmml4s");
    /** Past this many distinct warnings new ones pass unfiltered: the map must not grow without bound. */
    private static final int MAX_DISTINCT = 1_000;

    private final Map<String, AtomicInteger> repeats = new ConcurrentHashMap<>();

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        // only what would be written counts (not logger.isEnabledFor: it calls the turbo filters again); a null
        // format is a level check (isWarnEnabled, atWarn), not an event: it must stay true
        if (format == null || level == null || !level.isGreaterOrEqual(Level.WARN) || !level.isGreaterOrEqual(logger.getEffectiveLevel())
                || !engine(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        String message = logger.getName() + " - " + MessageFormatter.arrayFormat(format, params).getMessage();
        AtomicInteger seen = repeats.get(message);
        if (seen == null) {
            if (repeats.size() < MAX_DISTINCT) {
                repeats.putIfAbsent(message, new AtomicInteger());
            }
            return FilterReply.NEUTRAL;
        }
        seen.incrementAndGet();
        return FilterReply.DENY;
    }

    static boolean engine(String loggerName) {
        for (String prefix : ENGINE_LOGGERS) {
            if (loggerName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Logs one line per warning repeated since the last report, with how often, and starts counting anew. */
    void reportRepeats(org.slf4j.Logger to) {
        repeats.forEach((message, count) -> {
            int n = count.getAndSet(0);
            if (n > 0) {
                to.info("engine warning repeated {} more time(s), shown once: {}", n, message);
            }
        });
    }
}
