package com.modelfactory.runtime.http;

import com.modelfactory.runtime.ServedModel;
import com.modelfactory.runtime.ServingState;
import com.modelfactory.runtime.batching.InferenceRequest;
import com.modelfactory.runtime.batching.ShuttingDownException;
import com.modelfactory.runtime.engine.Tensor;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The routes: legacy /predict, Open Inference Protocol v2, model info, health and metrics. Handlers
 * parse on the event loop only what is cheap; decoding, batching and rendering run on worker threads
 * and come back through {@link #respond}. Every failure goes to {@link ErrorResponder}.
 */
public final class HttpApi {
    static final String ROUTE = "metrics.route";

    private final ServingState state;
    private final RuntimeMetrics metrics;
    private final ExecutorService workers;
    private final long maxBodyBytes;
    private final ErrorResponder errors;
    private final Path uploadsDir;

    public HttpApi(ServingState state, RuntimeMetrics metrics, ExecutorService workers, long maxBodyBytes,
                   long requestTimeoutMs, Path uploadsDir) {
        this.state = state;
        this.metrics = metrics;
        this.workers = workers;
        this.maxBodyBytes = maxBodyBytes;
        this.errors = new ErrorResponder(requestTimeoutMs);
        this.uploadsDir = uploadsDir;
    }

    public Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.route().handler(this::timeRequest);
        BodyHandler body = BodyHandler.create(true).setBodyLimit(maxBodyBytes)
                .setUploadsDirectory(uploadsDir.toString()).setDeleteUploadedFilesOnEnd(true)
                .setHandleFileUploads(true);

        HealthRoutes health = new HealthRoutes(state, metrics);
        route(router, HttpMethod.GET, "/health/live", health::live);
        route(router, HttpMethod.GET, "/health/ready", health::ready);
        route(router, HttpMethod.GET, "/v2/health/live", health::live);
        route(router, HttpMethod.GET, "/v2/health/ready", health::ready);
        route(router, HttpMethod.GET, "/metrics", health::metrics);

        MetadataRoutes meta = new MetadataRoutes(state);
        route(router, HttpMethod.GET, "/v2", meta::server);
        route(router, HttpMethod.GET, "/v2/", meta::server);
        route(router, HttpMethod.GET, "/model", meta::model);
        for (String base : new String[] {"/v2/models/:name", "/v2/models/:name/versions/:version"}) {
            route(router, HttpMethod.GET, base, meta::modelMetadata);
            route(router, HttpMethod.GET, base + "/ready", meta::modelReady);
            // Labelled on a route of its own: Vert.x wants the BodyHandler first on the route that handles.
            router.post(base + "/infer").handler(ctx -> label(ctx, "/v2/models/{name}/infer"));
            router.post(base + "/infer").handler(body).handler(new InferRoute(this)::handle);
        }
        router.post("/predict").handler(ctx -> label(ctx, "/predict"));
        router.post("/predict").handler(body).handler(new PredictRoute(this)::handle);

        router.route().failureHandler(errors::handle);
        router.errorHandler(404, ctx -> ErrorResponder.send(ctx, 404, notFound(ctx)));
        router.errorHandler(405, ctx -> ErrorResponder.send(ctx, 405, "method " + ctx.request().method()
                + " not allowed on " + ctx.request().path()));
        router.errorHandler(413, ctx -> ErrorResponder.send(ctx, 413, "request body over " + maxBodyBytes
                + " bytes (max_body_bytes / MAX_BODY_BYTES)"));
        return router;
    }

    private static String notFound(RoutingContext ctx) {
        return "no route " + ctx.request().method() + " " + ctx.request().path()
                + "; routes: POST /predict, POST /v2/models/{name}/infer, GET /v2, GET /v2/models/{name}, "
                + "GET /model, GET /health/live, GET /health/ready, GET /metrics";
    }

    private static void route(Router router, HttpMethod method, String path,
                              io.vertx.core.Handler<RoutingContext> handler) {
        String label = path.replace(":name", "{name}").replace(":version", "{version}");
        router.route(method, path).handler(ctx -> {
            ctx.put(ROUTE, label);
            handler.handle(ctx);
        });
    }

    private static void label(RoutingContext ctx, String route) {
        ctx.put(ROUTE, route);
        ctx.next();
    }

    private void timeRequest(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(v -> {
            String route = ctx.get(ROUTE);
            metrics.request(route == null ? "unmatched" : route, ctx.response().getStatusCode(),
                    System.nanoTime() - start);
        });
        ctx.next();
    }

    /** The model, if it is ready to take requests; otherwise fails the request with 503. */
    ServedModel modelOr503(RoutingContext ctx) {
        ServedModel m = state.model();
        if (!state.admit()) {
            ctx.fail(new ShuttingDownException());
            return null;
        }
        // Released when the response ends or the connection closes: a drain waits for admitted requests.
        ctx.addEndHandler(v -> state.release());
        if (m == null || !state.ready()) {
            ctx.fail(new HttpException(503, "the model is still loading; retry when /health/ready answers 200"));
            return null;
        }
        return m;
    }

    /**
     * Runs {@code parse} on a worker thread, queues its tensors for the batcher, renders the outputs on a
     * worker thread and answers on the request's event loop. A client that disconnects cancels its request.
     */
    void respond(RoutingContext ctx, ServedModel model, Supplier<Map<String, Tensor>> parse,
                 Function<Map<String, Tensor>, byte[]> render) {
        Context context = Vertx.currentContext();
        // A client that goes away cancels its request: skipped if still queued, never submitted if not yet.
        // (An end handler, not response().closeHandler(): the router's end handlers rely on the latter.)
        AtomicBoolean gone = new AtomicBoolean();
        AtomicReference<InferenceRequest> queued = new AtomicReference<>();
        ctx.addEndHandler(end -> {
            if (end.failed()) {
                gone.set(true);
                InferenceRequest r = queued.get();
                if (r != null) {
                    r.cancel();
                }
            }
        });
        CompletableFuture<Map<String, Tensor>> parsed;
        try {
            parsed = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                Map<String, Tensor> inputs = parse.get();
                metrics.preprocessed(System.nanoTime() - start);
                return inputs;
            }, workers);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ctx.fail(e);
            return;
        }
        parsed.thenCompose(inputs -> {
            if (gone.get()) {
                throw new CancellationException("the client disconnected");
            }
            InferenceRequest request = model.batcher().submit(inputs);
            queued.set(request);
            if (gone.get()) {
                request.cancel();
            }
            return request.result();
            // Rendered on the thread that completed the batch: outputs are small next to the inputs, and one
            // thread hop less is measurable at low concurrency.
        }).thenApply(render).whenComplete((bytes, error) -> context.runOnContext(v -> {
            if (error != null) {
                ctx.fail(ErrorResponder.unwrap(error));
            } else if (!ctx.response().closed()) {
                ctx.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(bytes));
            }
        }));
    }
}
