package com.modelfactory.runtime;

import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.http.HttpApi;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point. The port opens first (live, not ready) so probes see progress during a long download;
 * the model is then fetched, loaded and warmed up, and only then is the server ready. A model that
 * cannot be had or loaded stops the process with exit code 1 and a message naming the cause.
 */
public final class Main {
    /** Exit codes: 1 = model could not be acquired or loaded, 2 = invalid configuration, 3 = port unavailable. */
    static final int EXIT_MODEL = 1;
    static final int EXIT_CONFIG = 2;
    static final int EXIT_PORT = 3;

    static {
        // Before any engine class loads: run offline, no usage tracking (DJL), no telemetry.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        System.setProperty("org.slf4j.simpleLogger.log.io.jhdf", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
    }

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(ConfigLoader.help());
            return;
        }
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        RuntimeConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        config.warnings().forEach(w -> log.warn("config: {}", w));
        new Main().run(config);
    }

    private void run(RuntimeConfig config) {
        ServingState state = new ServingState();
        ModelLocator.Located located;
        try {
            located = ModelLocator.locate(config);
        } catch (ModelLoadException | RuntimeException e) {
            fail("the model could not be obtained: " + e.getMessage(), e);
            return;
        }
        String name = config.model().name() != null ? config.model().name() : ModelStartup.nameFrom(located.path());
        RuntimeMetrics metrics = new RuntimeMetrics(name);
        int cores = Runtime.getRuntime().availableProcessors();
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(Math.max(2, cores), Math.max(2, cores), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(config.batching().queueCapacity()), r -> {
                    Thread t = new Thread(r, "request-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        Vertx vertx = Vertx.vertx();
        HttpServer server;
        try {
            Path uploads = Files.createTempDirectory("model-runtime-uploads");
            HttpApi api = new HttpApi(state, metrics, workers, config.server().maxBodyBytes(),
                    config.batching().requestTimeoutMs(), uploads);
            server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(false)
                            .setTcpNoDelay(true).setIdleTimeout(0))
                    .requestHandler(api.router(vertx))
                    .listen(config.server().port(), config.server().host())
                    .await();
        } catch (Exception e) {
            System.err.println("cannot listen on " + config.server().host() + ":" + config.server().port() + ": "
                    + e.getMessage());
            System.exit(EXIT_PORT);
            return;
        }
        log.info("listening on {}:{} (live; ready once the model is loaded)", config.server().host(),
                server.actualPort());
        ServedModel model;
        try {
            model = ModelStartup.start(config, metrics, located);
        } catch (ModelLoadException | RuntimeException e) {
            fail("the model could not be loaded: " + e.getMessage(), e);
            return;
        }
        state.modelReady(model);
        log.info("ready: POST http://{}:{}/predict and /v2/models/{}/infer", config.server().host(),
                server.actualPort(), model.name());
        GracefulShutdown.install(state, model, server, vertx, config.server().drainTimeoutMs());
    }

    private static void fail(String message, Throwable e) {
        log.error(message);
        log.debug("cause", e);
        System.err.println("start-up failed: " + message);
        System.exit(EXIT_MODEL);
    }
}
