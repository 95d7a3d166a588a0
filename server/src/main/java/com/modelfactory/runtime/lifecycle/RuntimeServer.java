package com.modelfactory.runtime.lifecycle;

import com.modelfactory.runtime.auth.AccessControl;
import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.repository.ModelRepository;
import com.modelfactory.runtime.engine.ModelLoadException;
import com.modelfactory.runtime.fetch.AcquisitionListener;
import com.modelfactory.runtime.fetch.DownloadProgress;
import com.modelfactory.runtime.grpc.GrpcEndpoint;
import com.modelfactory.runtime.grpc.GrpcListener;
import com.modelfactory.runtime.http.HttpFrontEnd;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ServingState;
import com.modelfactory.runtime.startup.ModelNaming;
import com.modelfactory.runtime.startup.ModelSource;
import com.modelfactory.runtime.startup.ModelStartup;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running runtime. The port opens at once (live, not ready) while the model is obtained, loaded
 * and warmed up on a thread of its own, so probes see a long download progress instead of a dead pod;
 * only then is it ready. Drain and stop are the reverse.
 */
public final class RuntimeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RuntimeServer.class);

    private final ServingState state;
    private final Vertx vertx;
    private final HttpFrontEnd http;
    /** The gRPC-only port; null when grpc_port is 0. */
    private final GrpcListener grpc;
    private final RuntimeMetrics metrics;
    /** The one model's core; null in repository mode. */
    private final InferenceService service;
    /** Repository mode: the models; null for one model. */
    private final ModelRepository repository;
    private final Path uploads;
    private final IdleHeapReclaim reclaim;

    private RuntimeServer(ServingState state, Vertx vertx, HttpFrontEnd http, GrpcListener grpc, RuntimeMetrics metrics,
                          InferenceService service, Path uploads, ModelRepository repository) {
        this.repository = repository;
        this.state = state;
        this.vertx = vertx;
        this.http = http;
        this.grpc = grpc;
        this.metrics = metrics;
        this.service = service;
        this.uploads = uploads;
        this.reclaim = new IdleHeapReclaim(
                () -> state.services().stream().mapToLong(InferenceService::accepted).sum(),
                () -> state.services().stream().mapToInt(InferenceService::inFlight).sum());
    }

    /** Starts everything and returns once the model is ready; any failure stops what was started. */
    public static RuntimeServer start(RuntimeConfig config) throws StartupException {
        return begin(config).awaitReady();
    }

    /** As {@link #start(RuntimeConfig)}, with the per-model configurations of a repository. */
    public static RuntimeServer start(RuntimeConfig config, ConfigLoader.PerModel perModel) throws StartupException {
        return begin(config, perModel).awaitReady();
    }

    /**
     * Opens the ports (live at once) and starts obtaining and loading the model in the background; the
     * returned start-up then either becomes a ready server ({@link Starting#awaitReady()}) or is abandoned
     * ({@link Starting#abort()}, a SIGTERM during a long download).
     */
    public static Starting begin(RuntimeConfig config) throws StartupException {
        return begin(config, ConfigLoader.perModel(new String[0], Map.of()));
    }

    /**
     * As {@link #begin(RuntimeConfig)}; in repository mode {@code perModel} gives each model its
     * configuration from the server's flags and environment (and its own model-config.yaml).
     */
    public static Starting begin(RuntimeConfig config, ConfigLoader.PerModel perModel) throws StartupException {
        boolean repository = config.repository().enabled();
        String name = repository ? "repository" : ModelNaming.servedName(config);
        RuntimeMetrics metrics = new RuntimeMetrics(name, config.server().latencyBuckets());
        AccessControl access;
        try {
            access = AccessControl.fromFile(config.server().authTokensFile(), metrics);
        } catch (IllegalArgumentException e) {
            throw new StartupException("configuration error: " + e.getMessage(), ExitCodes.CONFIG, e);
        }
        if (config.server().tls() != null) {
            try {
                com.modelfactory.runtime.transport.TlsFiles.check(config.server().tls());
            } catch (IllegalArgumentException e) {
                access.close();
                throw new StartupException("configuration error: TLS: " + e.getMessage(), ExitCodes.CONFIG, e);
            }
        }
        if (!access.enabled() && !isLoopback(config.server().host())) {
            log.warn("no AUTH_TOKENS_FILE: anyone who reaches {}:{} may run inference and read metadata and metrics",
                    config.server().host(), config.server().port());
        }
        ServingState state = new ServingState(repository ? null : name);
        CompletableFuture<InferenceService> loading;
        ModelRepository models = null;
        if (repository) {
            for (java.nio.file.Path root : config.repository().roots()) {
                if (!java.nio.file.Files.isDirectory(root)) {
                    throw new StartupException("the model repository " + root + " (MODEL_REPOSITORY) is not a folder",
                            ExitCodes.CONFIG, null);
                }
            }
            models = new ModelRepository(config, perModel, metrics);
            loading = CompletableFuture.completedFuture(null);
        } else {
            metrics.downloadProgress(() -> state.progress().bytes());
            loading = loadInBackground(config, metrics, state, name);
        }
        Vertx vertx = Vertx.vertx();
        Path uploads = null;
        HttpFrontEnd http;
        GrpcListener grpc;
        GrpcEndpoint grpcEndpoint = new GrpcEndpoint(vertx, state, metrics, config, name, access);
        // The tokens file's watcher stops with the server (Vert.x's close hooks run on every way it closes).
        ((io.vertx.core.internal.VertxInternal) vertx).addCloseHook(done -> {
            access.close();
            done.succeed();
        });
        int port = config.server().port();
        try {
            uploads = Files.createTempDirectory("model-runtime-uploads");
            http = HttpFrontEnd.listen(vertx, state, metrics, config, uploads, grpcEndpoint, access);
            port = config.server().grpcPort();
            grpc = GrpcListener.listen(vertx, grpcEndpoint, config);
            if (config.server().healthPort() != 0) {
                port = config.server().healthPort();
                // closed with Vert.x, after the drain: the probes are answered (not ready) until the exit
                com.modelfactory.runtime.http.HealthPort.listen(vertx, state, metrics, config.server().host(), port);
            }
        } catch (IOException | RuntimeException e) {
            vertx.close();
            deleteQuietly(uploads);
            awaitNativeLoad(state, loading);
            loading.thenAccept(InferenceService::close);
            throw new StartupException("cannot listen on " + config.server().host() + ":" + port
                    + (port == config.server().port() ? "" : port == config.server().healthPort() ? " (health_port)"
                    : " (grpc_port)") + ": " + e.getMessage(), ExitCodes.PORT, e);
        }
        log.info("listening on {}:{}{} (live; ready once the model is loaded){}", config.server().host(), http.port(),
                config.server().tls() == null ? "" : " with TLS", grpc == null ? "" : "; gRPC also on port " + grpc.port());
        if (config.server().tls() != null) {
            HttpFrontEnd front = http;
            GrpcListener grpcOnly = grpc;
            var rotation = new com.modelfactory.runtime.transport.TlsRotation(config.server().tls(), ssl -> {
                front.updateTls(ssl);
                if (grpcOnly != null) {
                    grpcOnly.updateTls(ssl);
                }
            });
            ((io.vertx.core.internal.VertxInternal) vertx).addCloseHook(done -> {
                rotation.close();
                done.succeed();
            });
        }
        if (models != null) {
            try {
                models.start();
            } catch (RuntimeException e) {
                http.close();
                vertx.close();
                deleteQuietly(uploads);
                throw new StartupException("cannot read the model repository: " + e.getMessage(), ExitCodes.CONFIG, e);
            }
            state.serveRepository(models);
        }
        return new Starting(config, name, state, vertx, http, grpc, metrics, loading, uploads, models);
    }

    /**
     * Lets an engine that is loading finish before the process exits: exiting while ONNX Runtime set up a
     * session crashed in its native code (SIGSEGV, exit 134 instead of 4 for a port in use, with
     * MobileNetV2 loading beside the bind). A download still under way is not waited for: it is Java only.
     */
    private static void awaitNativeLoad(ServingState state, CompletableFuture<InferenceService> loading) {
        if (state.phase() != ServingState.Phase.LOADING) {
            return;
        }
        try {
            loading.get(NATIVE_LOAD_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("model load at a failed start-up", e); // its outcome does not change the exit
        }
    }

    private static final long NATIVE_LOAD_WAIT_SECONDS = 60;

    private static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
    }

    /** A start-up under way: the ports are open, the model is being obtained and loaded. */
    public static final class Starting {
        private final RuntimeConfig config;
        private final String name;
        private final ServingState state;
        private final Vertx vertx;
        private final HttpFrontEnd http;
        private final GrpcListener grpc;
        private final RuntimeMetrics metrics;
        private final CompletableFuture<InferenceService> loading;
        private final Path uploads;
        private final ModelRepository repository;

        private Starting(RuntimeConfig config, String name, ServingState state, Vertx vertx, HttpFrontEnd http,
                         GrpcListener grpc, RuntimeMetrics metrics, CompletableFuture<InferenceService> loading,
                         Path uploads, ModelRepository repository) {
            this.repository = repository;
            this.config = config;
            this.name = name;
            this.state = state;
            this.vertx = vertx;
            this.http = http;
            this.grpc = grpc;
            this.metrics = metrics;
            this.loading = loading;
            this.uploads = uploads;
        }

        /** Waits for the model; ready then. A model that could not be had or loaded stops everything. */
        public RuntimeServer awaitReady() throws StartupException {
            if (repository != null) {
                repository.initialLoad().join();
                log.info("ready: the repository's models answer at /v2/models/{{name}}/infer; index: POST "
                        + "/v2/repository/index");
                return new RuntimeServer(state, vertx, http, grpc, metrics, null, uploads, repository);
            }
            InferenceService service;
            try {
                service = loading.join();
            } catch (CompletionException e) {
                abort();
                if (e.getCause() instanceof StartupException se) {
                    throw se;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new StartupException("the model could not be loaded: " + e.getCause(), ExitCodes.MODEL,
                        e.getCause());
            }
            state.ready(service);
            log.info("ready: POST http://{}:{}/predict and /v2/models/{}/infer", config.server().host(), http.port(),
                    name);
            return new RuntimeServer(state, vertx, http, grpc, metrics, service, uploads, null);
        }

        /** Gives the start-up up: not ready, ports closed, temporary folders removed. */
        public void abort() {
            state.beginDrain();
            if (repository != null) {
                repository.close(Duration.ZERO);
            }
            com.modelfactory.runtime.fetch.ModelAcquirer.abandonUnfinished();
            loading.thenAccept(InferenceService::close);
            try {
                http.close();
                if (grpc != null) {
                    grpc.close();
                }
            } catch (RuntimeException e) {
                log.debug("closing the ports", e);
            }
            vertx.close();
            deleteQuietly(uploads);
        }
    }

    /**
     * Obtains and loads the model on a thread of its own: both are mostly waiting or class loading and
     * native set-up, and on two cores doing them beside the HTTP server's start takes a third off a cold start.
     */
    private static CompletableFuture<InferenceService> loadInBackground(RuntimeConfig config, RuntimeMetrics metrics,
                                                                        ServingState state, String name) {
        CompletableFuture<InferenceService> loading = new CompletableFuture<>();
        Thread loader = new Thread(() -> {
            try {
                ModelSource.Located located = locate(config, state);
                metrics.modelDownload(located.download().bytes(), located.download().seconds(),
                        located.download().retries());
                state.loading();
                loading.complete(ModelStartup.start(config, metrics, located, name));
            } catch (StartupException e) {
                loading.completeExceptionally(e);
            } catch (com.modelfactory.runtime.config.ConfigException e) {
                // a setting the loaded model contradicts (a decoder its outputs do not fit, a letterbox without a size)
                loading.completeExceptionally(new StartupException("configuration error: " + e.getMessage(),
                        ExitCodes.CONFIG, e));
            } catch (ModelLoadException | RuntimeException | Error e) {
                loading.completeExceptionally(new StartupException("the model could not be loaded: " + e.getMessage(),
                        ExitCodes.MODEL, e));
            }
        }, "model-loader");
        loader.setDaemon(true);
        loader.start();
        return loading;
    }

    private static ModelSource.Located locate(RuntimeConfig config, ServingState state) throws StartupException {
        AcquisitionListener progress = new AcquisitionListener() {
            @Override
            public void downloadProgress(DownloadProgress p) {
                state.progress(new ServingState.Progress(p.bytes(), p.expectedBytes(), p.retries()));
            }
        };
        try {
            return ModelSource.locate(config, progress);
        } catch (ModelLoadException | RuntimeException e) {
            throw new StartupException("the model could not be obtained: " + e.getMessage(), ExitCodes.MODEL, e);
        }
    }

    public int port() {
        return http.port();
    }

    /** The gRPC-only port; -1 when grpc_port is 0 (gRPC is on {@link #port()} too). */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    /** The one model's serving core; null in repository mode (see {@link #inFlight()}). */
    public InferenceService service() {
        return service;
    }

    /** Requests accepted and not yet answered, over every model served (one, or a repository's). */
    public int inFlight() {
        return state.services().stream().mapToInt(InferenceService::inFlight).sum();
    }

    public RuntimeMetrics metrics() {
        return metrics;
    }

    /** The life cycle probes see; tests use it to watch readiness during a drain. */
    public ServingState state() {
        return state;
    }

    /**
     * Graceful stop: not ready at once; the ports stop accepting connections, every HTTP/1.1 response from now
     * on closes its connection, HTTP/2 (gRPC) connections get GOAWAY, requests arriving on open connections
     * get 503 (gRPC: UNAVAILABLE); every accepted request is
     * answered and every connection closes, at most {@code drainTimeout} in all; then the engine closes.
     * Returns as soon as that is done, not at the timeout.
     * @return true when every accepted request was answered in time
     */
    public boolean drainAndStop(Duration drainTimeout) {
        state.beginDrain();
        CompletableFuture<Void> connectionsClosed = grpc == null ? http.beginDrain()
                : CompletableFuture.allOf(http.beginDrain(), grpc.beginDrain());
        long end = System.nanoTime() + drainTimeout.toNanos();
        boolean drained = false;
        try {
            drained = repository != null ? repository.close(drainTimeout) : service.drain(drainTimeout);
            connectionsClosed.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | ExecutionException e) {
            log.info("drain timeout: closing the connections still open");
        }
        close();
        return drained;
    }

    @Override
    public void close() {
        state.beginDrain();
        reclaim.close();
        if (repository != null) {
            repository.close(Duration.ZERO);
        } else {
            service.close();
        }
        try {
            http.close();
            if (grpc != null) {
                grpc.close();
            }
        } catch (RuntimeException e) {
            log.debug("closing the HTTP and gRPC servers", e);
        }
        vertx.close();
        deleteQuietly(uploads);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.debug("could not remove {}: {}", dir, e.toString());
        }
    }
}
