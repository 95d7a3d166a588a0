package com.modelfactory.runtime.transport;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;

/**
 * The drain's sweep, for both kinds of connection tracking (HTTP/1 requests, HTTP/2 streams): every
 * {@link #SWEEP_MS} each open connection is asked, on its own event loop (its state is touched there
 * only), to close itself if it has been idle long enough.
 */
public final class DrainSweep {
    static final long SWEEP_MS = 50;

    private DrainSweep() {
    }

    /** Sweeps until the process exits (a drain ends with it). */
    public static <T> void start(Vertx vertx, Collection<T> open, Function<T, Context> eventLoop,
                                 ObjLongConsumer<T> closeIfIdle) {
        vertx.setPeriodic(SWEEP_MS, id -> {
            long now = System.nanoTime();
            for (T t : open) {
                eventLoop.apply(t).runOnContext(v -> closeIfIdle.accept(t, now));
            }
        });
    }
}
