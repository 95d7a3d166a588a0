package com.modelfactory.runtime;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM/SIGINT: readiness goes false at once, new requests get 503, queued and running requests
 * finish (up to the drain timeout), then the process exits 0 — so Kubernetes and podman see a clean stop.
 */
final class GracefulShutdown {
    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private GracefulShutdown() {
    }

    static void install(ServingState state, ServedModel model, HttpServer server, Vertx vertx, long drainTimeoutMs) {
        Runnable drain = () -> {
            log.info("shutdown requested: not ready, draining {} request(s) for up to {} ms",
                    model.batcher().inFlight(), drainTimeoutMs);
            state.beginDrain();
            int exit = 0;
            try {
                if (!model.batcher().drain(drainTimeoutMs)) {
                    log.warn("drain timeout: {} request(s) still in flight", model.batcher().inFlight());
                }
                // Let the last responses leave before the sockets close.
                server.shutdown().toCompletionStage().toCompletableFuture().get();
            } catch (Exception e) {
                log.warn("shutdown: {}", e.toString());
            }
            model.batcher().close();
            model.model().close();
            vertx.close();
            log.info("stopped");
            Runtime.getRuntime().halt(exit);
        };
        sun.misc.SignalHandler handler = sig -> {
            Thread t = new Thread(drain, "shutdown");
            t.start();
        };
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }
}
