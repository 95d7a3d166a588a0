package com.modelfactory.runtime;

import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.http.HttpApi;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running runtime: the model is obtained, then loaded and warmed up while the HTTP server opens
 * (live, not ready, so probes see progress during a long load); only then is it ready.
 */
public final class RuntimeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuntimeServer.class);

    /** Start-up failed; {@link #exitCode()} tells Main how to exit. */
    public static final class StartupException extends Exception {
        private final int exitCode;

        StartupException(String message, int exitCode, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    private final ServingState state;
    private final Vertx vertx;
    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private final RuntimeMetrics metrics;
    private final ServedModel model;

    private RuntimeServer(ServingState state, Vertx vertx, HttpServer server, ThreadPoolExecutor workers,
                          RuntimeMetrics metrics, ServedModel model) {
        this.state = state;
        this.vertx = vertx;
        this.server = server;
        this.workers = workers;
        this.metrics = metrics;
        this.model = model;
    }

    public static RuntimeServer start(RuntimeConfig config) throws StartupException {
        ModelSource.Located located;
        try {
            located = ModelSource.locate(config);
        } catch (ModelLoadException | RuntimeException e) {
            throw new StartupException("the model could not be obtained: " + e.getMessage(), Main.EXIT_MODEL, e);
        }
        String name = config.model().name() != null ? config.model().name() : ModelStartup.nameFrom(located.path());
        RuntimeMetrics metrics = new RuntimeMetrics(name);
        metrics.modelDownload(located.downloadFacts());
        ThreadPoolExecutor workers = requestWorkers(config.batching().queueCapacity());
        // The engine loads while the HTTP server starts: both are mostly class loading and native library
        // set-up, and on two cores doing them side by side takes a third off a cold start.
        CompletableFuture<ServedModel> loading = new CompletableFuture<>();
        Thread loader = new Thread(() -> {
            try {
                loading.complete(ModelStartup.start(config, metrics, located));
            } catch (ModelLoadException | RuntimeException | Error e) {
                loading.completeExceptionally(e);
            }
        }, "model-loader");
        loader.setDaemon(true);
        loader.start();
        Vertx vertx = Vertx.vertx();
        ServingState state = new ServingState();
        HttpServer server;
        try {
            Path uploads = Files.createTempDirectory("model-runtime-uploads");
            uploads.toFile().deleteOnExit();
            HttpApi api = new HttpApi(state, metrics, workers, config.server().maxBodyBytes(),
                    config.batching().requestTimeoutMs(), uploads);
            server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
                    .requestHandler(api.router(vertx))
                    .listen(config.server().port(), config.server().host())
                    .await();
        } catch (IOException | RuntimeException e) {
            vertx.close();
            workers.shutdownNow();
            loading.thenAccept(RuntimeServer::closeQuietly);
            throw new StartupException("cannot listen on " + config.server().host() + ":" + config.server().port()
                    + ": " + e.getMessage(), Main.EXIT_PORT, e);
        }
        log.info("listening on {}:{} (live; ready once the model is loaded)", config.server().host(),
                server.actualPort());
        ServedModel model;
        try {
            model = loading.join();
        } catch (CompletionException e) {
            server.close();
            vertx.close();
            workers.shutdownNow();
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            throw new StartupException("the model could not be loaded: " + cause.getMessage(), Main.EXIT_MODEL, cause);
        }
        state.modelReady(model);
        RuntimeServer rs = new RuntimeServer(state, vertx, server, workers, metrics, model);
        log.info("ready: POST http://{}:{}/predict and /v2/models/{}/infer", config.server().host(),
                server.actualPort(), model.name());
        return rs;
    }

    private static void closeQuietly(ServedModel model) {
        model.batcher().close();
        model.model().close();
    }

    private static ThreadPoolExecutor requestWorkers(int queueCapacity) {
        int cores = Runtime.getRuntime().availableProcessors();
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(Math.max(2, cores), Math.max(2, cores), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, "request-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    public int port() {
        return server.actualPort();
    }

    public ServedModel model() {
        return model;
    }

    public RuntimeMetrics metrics() {
        return metrics;
    }

    /**
     * Graceful stop: not ready at once, new requests 503, every admitted request (being decoded, queued or
     * running) finishes, at most {@code drainTimeoutMs} in all; then the socket and the engine close.
     * @return true when every admitted request finished in time
     */
    public boolean drainAndStop(long drainTimeoutMs) {
        state.beginDrain();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainTimeoutMs);
        boolean drained;
        try {
            drained = state.awaitAdmittedDone(end - System.nanoTime())
                    && model.batcher().drain(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            // Idle keep-alive connections are closed; none carries an unanswered request any more.
            server.shutdown(Math.max(100, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())),
                    TimeUnit.MILLISECONDS).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        } catch (RuntimeException e) {
            log.warn("shutdown: {}", e.toString());
            drained = false;
        }
        close();
        return drained;
    }

    /** The life cycle probes see; tests use it to watch readiness during a drain. */
    public ServingState state() {
        return state;
    }

    @Override
    public void close() {
        state.beginDrain();
        model.batcher().close();
        try {
            server.close().await();
        } catch (RuntimeException e) {
            log.debug("closing the HTTP server", e);
        }
        vertx.close();
        workers.shutdownNow();
        model.model().close();
    }
}
