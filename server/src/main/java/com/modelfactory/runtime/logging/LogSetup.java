package com.modelfactory.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The process's logging, set before anything logs: LOG_LEVEL / --log-level and LOG_FORMAT / --log-format
 * ({@code text}: one line per event, {@code 2026-12-07T18:09:38.039+0000 [main] INFO logger - message}; {@code
 * json}: one JSON object per line, logback's JsonEncoder: timestamp, level, threadName, loggerName,
 * formattedMessage, throwable, and the access log's fields as key-value pairs), on
 * standard error. Netty and jHDF are held to WARN: their INFO is internals; so are the engines' Java loggers
 * (DJL, ONNX Runtime, TensorFlow Java, PMML4S) unless the level is debug or finer, and each distinct engine
 * warning shows once ({@link EngineWarningsOnce}, {@link #reportEngineRepeats}).
 */
public final class LogSetup {
    private static final EngineWarningsOnce ENGINE_WARNINGS = new EngineWarningsOnce();

    public static final List<String> FORMATS = List.of("text", "json");
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSZ} [%thread] %level %logger - %msg%n";

    private LogSetup() {
    }

    /** The format the flag (else the environment, else text) names; null when it names neither. */
    public static String format(String[] args, Map<String, String> env) {
        return com.modelfactory.runtime.config.LogLevel.early(args, env, "--log-format", "LOG_FORMAT", "text", FORMATS);
    }

    /** Configures the backend; a no-op when SLF4J is bound to another one (a test classpath). */
    public static void apply(String level, String format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        Encoder<ILoggingEvent> encoder = format.equals("json") ? json(context) : text(context);
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(console);
        // internals held to warnings, never below the level asked for (LOG_LEVEL=error stays errors only)
        Level internals = root.getLevel().isGreaterOrEqual(Level.WARN) ? root.getLevel() : Level.WARN;
        context.getLogger("io.netty").setLevel(internals);
        context.getLogger("io.jhdf").setLevel(internals);
        if (root.getLevel().isGreaterOrEqual(Level.INFO)) {
            EngineWarningsOnce.ENGINE_LOGGERS.forEach(name -> context.getLogger(name).setLevel(internals));
            // DJL warns when its GPU probe finds no driver; the engine's own line says what runs where
            // ("no usable GPU for PyTorch ...; running on the CPU"), so on a CPU host that warning is noise
            context.getLogger("ai.djl.util.cuda.CudaUtils").setLevel(Level.ERROR);
        }
        ENGINE_WARNINGS.setContext(context);
        ENGINE_WARNINGS.start();
        context.addTurboFilter(ENGINE_WARNINGS);
    }

    /** One line per engine warning repeated since the last call, with its count (after a model load). */
    public static void reportEngineRepeats() {
        ENGINE_WARNINGS.reportRepeats(LoggerFactory.getLogger("engine"));
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(context);
        e.setPattern(TEXT_PATTERN);
        e.start();
        return e;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder e = new JsonEncoder();
        e.setContext(context);
        // the fields a log pipeline reads; not the logger context's name and birth time on every line
        e.setWithContext(false);
        e.setWithSequenceNumber(false);
        e.setWithNanoseconds(false);
        e.setWithMDC(false);
        // the message as text ("formattedMessage"), not logback's template and arguments
        e.setWithFormattedMessage(true);
        e.setWithMessage(false);
        e.setWithArguments(false);
        e.start();
        return e;
    }
}
