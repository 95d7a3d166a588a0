package com.modelfactory.runtime.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineWarningsOnceTest {
    @Test
    void anEngineWarningShowsOnceThenItsCountOurOwnLinesAllShow() {
        LoggerContext context = new LoggerContext();
        EngineWarningsOnce once = new EngineWarningsOnce();
        once.setContext(context);
        once.start();
        context.addTurboFilter(once);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.setContext(context);
        seen.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(seen);

        Logger djl = context.getLogger("ai.djl.util.cuda.CudaUtils");
        for (int i = 0; i < 3; i++) {
            djl.warn("Failed to detect GPU count: {}", "CUDA driver version is insufficient (35)");
        }
        djl.warn("Failed to detect GPU count: {}", "another cause");
        Logger held = context.getLogger("ai.djl.held");
        held.setLevel(ch.qos.logback.classic.Level.ERROR);
        held.warn("below its logger's level: neither written nor counted");
        held.warn("below its logger's level: neither written nor counted");
        for (int i = 0; i < 3; i++) {
            org.junit.jupiter.api.Assertions.assertTrue(djl.isWarnEnabled(), "a level check is not a repeated warning");
        }
        Logger ours = context.getLogger("access");
        for (int i = 0; i < 3; i++) {
            ours.warn("GET /health route={}", "health");
        }
        once.reportRepeats(context.getLogger("engine"));
        once.reportRepeats(context.getLogger("engine")); // nothing new repeated: nothing more

        List<String> lines = seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("Failed to detect GPU count: CUDA driver version is insufficient (35)",
                "Failed to detect GPU count: another cause", "GET /health route=health", "GET /health route=health",
                "GET /health route=health", "engine warning repeated 2 more time(s), shown once: "
                        + "ai.djl.util.cuda.CudaUtils - Failed to detect GPU count: CUDA driver version is insufficient (35)"),
                lines);
    }
}
