package com.modelfactory.runtime.http;

import com.modelfactory.runtime.auth.AccessControl;
import com.modelfactory.runtime.auth.EndpointGroup;
import com.modelfactory.runtime.error.Failures;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.Inference;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.RequestDecoder;
import com.modelfactory.runtime.serving.ServingState;
import com.modelfactory.runtime.engine.Tensor;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The routes: legacy /predict, Open Inference Protocol v2, model info, health and metrics. Handlers only
 * read the request on the event loop; decoding, batching and inference happen in the serving core, and
 * the answer comes back through {@link #respond}. Every failure goes to {@link ErrorResponder}.
 */
public final class HttpApi {
    static final String ROUTE = "metrics.route";
    /** A model's v2 path, unversioned and versioned. */
    private static final String[] V2_MODEL_PATHS = {"/v2/models/:name", "/v2/models/:name/versions/:version"};
    /** The items of the batch the request ran in, for the access log. */
    private static final String BATCH_ITEMS = "batch.items";

    private final ServingState state;
    private final RuntimeMetrics metrics;
    private final long maxBodyBytes;
    private final ErrorResponder errors;
    private final Path uploadsDir;
    private final AccessControl access;
    private final boolean accessLog;
    private final AccessLogSampler accessSampler;
    private static final org.slf4j.Logger ACCESS = org.slf4j.LoggerFactory.getLogger("access");

    public HttpApi(ServingState state, RuntimeMetrics metrics, long maxBodyBytes, Path uploadsDir) {
        this(state, metrics, maxBodyBytes, uploadsDir, AccessControl.open());
    }

    public HttpApi(ServingState state, RuntimeMetrics metrics, long maxBodyBytes, Path uploadsDir, AccessControl access) {
        this(state, metrics, maxBodyBytes, uploadsDir, access, false, 0);
    }

    /**
     * @param accessLog             one line per request in the log (logger {@code access})
     * @param accessLogMaxPerSecond at most this many of those lines a second, then a count of those left out (0 = all)
     */
    public HttpApi(ServingState state, RuntimeMetrics metrics, long maxBodyBytes, Path uploadsDir, AccessControl access,
                   boolean accessLog, int accessLogMaxPerSecond) {
        this.accessLog = accessLog;
        this.accessSampler = new AccessLogSampler(accessLogMaxPerSecond, System::nanoTime);
        this.access = access;
        this.state = state;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.errors = new ErrorResponder(metrics);
        this.uploadsDir = uploadsDir;
    }

    public Router router(Vertx vertx) {
        return router(vertx, null);
    }

    /** The routes, behind {@code guard} (connection timeouts and drain) when one is given. */
    Router router(Vertx vertx, ConnectionGuard guard) {
        Router router = Router.router(vertx);
        if (guard != null) {
            router.route().handler(guard::handle);
        }
        router.route().handler(this::timeRequest);
        // Tokens before any body is read: a refused client cannot make the server take its upload. Without a
        // tokens file there is no handler at all (nothing to do per request).
        if (access.enabled()) {
            router.route().handler(ctx -> {
                access.require(ctx.request().getHeader("Authorization"),
                        EndpointGroup.ofHttp(ctx.request().method().name(), ctx.request().path()));
                ctx.next();
            });
        }
        BodyHandler body = bodyHandler(false);
        // An HTTP/1.x body goes into a buffer sized to its Content-Length (at most 64 KiB: Vert.x's cap), no
        // growing copies; not over HTTP/2, where a connection's 100 streams could each claim 64 KiB with a header.
        BodyHandler sized = bodyHandler(true);
        Handler<RoutingContext> inferenceBody = ctx -> (ctx.request().version() == io.vertx.core.http.HttpVersion.HTTP_2
                ? body : sized).handle(ctx);
        // The inference routes first: a request walks the routes in order and every pattern it passes is
        // matched (a Matcher each), so /predict behind twenty metadata routes cost 10 % of its allocation.
        router.post("/predict").handler(ctx -> asIs(ctx, "/predict"));
        router.post("/predict").handler(inferenceBody).handler(new PredictRoute(this)::handle);
        for (String base : V2_MODEL_PATHS) {
            // Labelled on a route of its own: Vert.x wants the BodyHandler first on the route that handles.
            router.post(base + "/infer").handler(ctx -> asIs(ctx, "/v2/models/{name}/infer"));
            router.post(base + "/infer").handler(inferenceBody).handler(new InferRoute(this)::handle);
        }

        HealthRoutes health = new HealthRoutes(state, metrics);
        route(router, HttpMethod.GET, "/health/live", health::live);
        route(router, HttpMethod.GET, "/health/ready", health::ready);
        route(router, HttpMethod.GET, "/v2/health/live", health::live);
        route(router, HttpMethod.GET, "/v2/health/ready", health::ready);
        route(router, HttpMethod.GET, "/metrics", health::metrics);

        MetadataRoutes meta = new MetadataRoutes(state);
        TritonRoutes triton = new TritonRoutes(state);
        route(router, HttpMethod.GET, "/v2", meta::server);
        route(router, HttpMethod.GET, "/v2/", meta::server);
        route(router, HttpMethod.GET, "/model", meta::model);
        // Before /v2/models/:name, which would take "stats" for a model name.
        route(router, HttpMethod.GET, "/v2/models/stats", triton::allStats);
        for (String base : V2_MODEL_PATHS) {
            route(router, HttpMethod.GET, base, meta::modelMetadata);
            route(router, HttpMethod.GET, base + "/ready", meta::modelReady);
            route(router, HttpMethod.GET, base + "/config", triton::config);
            route(router, HttpMethod.GET, base + "/stats", triton::modelStats);
        }
        withBody(router, "/v2/repository/index", body, triton::index);
        withBody(router, "/v2/repository/models/:name/load", body, triton::load);
        withBody(router, "/v2/repository/models/:name/unload", body, triton::unload);
        v1(router, body);

        router.route().failureHandler(errors::handle);
        router.errorHandler(404, ctx -> errors.send(ctx, VertxFailures.ofStatus(404,
                ctx.request().method() + " " + ctx.request().path())));
        router.errorHandler(405, ctx -> errors.send(ctx, VertxFailures.ofStatus(405,
                ctx.request().method() + " " + ctx.request().path())));
        router.errorHandler(413, ctx -> errors.send(ctx, ServingException.tooLarge("request body over "
                + maxBodyBytes + " bytes (max_body_bytes / MAX_BODY_BYTES)")));
        return router;
    }

    private BodyHandler bodyHandler(boolean preallocate) {
        return BodyHandler.create(true).setBodyLimit(maxBodyBytes).setUploadsDirectory(uploadsDir.toString())
                .setDeleteUploadedFilesOnEnd(true).setHandleFileUploads(true).setPreallocateBodyBuffer(preallocate);
    }

    private static void route(Router router, HttpMethod method, String path, Handler<RoutingContext> handler) {
        String label = path.replace(":name", "{name}").replace(":version", "{version}");
        router.route(method, path).handler(ctx -> {
            ctx.put(ROUTE, label);
            handler.handle(ctx);
        });
    }

    private static void withBody(Router router, String path, BodyHandler body, Handler<RoutingContext> handler) {
        String label = path.replace(":name", "{name}");
        router.post(path).handler(ctx -> label(ctx, label));
        router.post(path).handler(body).handler(handler);
    }

    /** TF Serving's REST routes; its paths are matched case-insensitively and version xor label. */
    private void v1(Router router, BodyHandler body) {
        V1Routes v1 = new V1Routes(this, state);
        String model = "(?i)/v1/models/(?<name>[^/:]+)(?:/versions/(?<version>[0-9]+)|/labels/(?<label>[^/:]+))?";
        router.routeWithRegex(HttpMethod.POST, model + ":predict").handler(ctx -> asIs(ctx, "/v1/models/{name}:predict"));
        router.routeWithRegex(HttpMethod.POST, model + ":predict").handler(body).handler(v1::predict);
        regex(router, HttpMethod.GET, model, "/v1/models/{name}", v1::status);
        regex(router, HttpMethod.GET, model + "/metadata", "/v1/models/{name}/metadata", v1::metadata);
        regex(router, HttpMethod.GET, "(?i)/v1/models/?", "/v1/models", v1::missingName);
        router.routeWithRegex("/v1/.*").handler(ctx -> label(ctx, "/v1/*")).handler(v1::malformed);
    }

    private static void regex(Router router, HttpMethod method, String regex, String label, Handler<RoutingContext> handler) {
        router.routeWithRegex(method, regex).handler(ctx -> {
            ctx.put(ROUTE, label);
            handler.handle(ctx);
        });
    }

    /**
     * For routes that never take url-encoded forms: a body sent as application/x-www-form-urlencoded (what curl -d
     * and --data-binary send by default) is buffered as it is, not decoded as a form by the BodyHandler, which
     * would refuse binary tensor bytes, an image or a '%' in a JSON string. /predict then tells JSON from an
     * image by the bytes themselves.
     */
    /** Context key: the request came as application/x-www-form-urlencoded (its header was replaced by asIs). */
    static final String SENT_AS_FORM = "sent-as-form";

    private static void asIs(RoutingContext ctx, String route) {
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            ctx.put(SENT_AS_FORM, Boolean.TRUE);
            ctx.request().headers().set("Content-Type", HttpBody.BINARY);
        }
        label(ctx, route);
    }

    private static void label(RoutingContext ctx, String route) {
        ctx.put(ROUTE, route);
        ctx.next();
    }

    private void timeRequest(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(v -> {
            String route = ctx.get(ROUTE);
            long nanos = System.nanoTime() - start;
            metrics.request(route == null ? "unmatched" : route, ctx.response().getStatusCode(), nanos);
            AccessLogSampler.Decision sampled = accessLog ? accessSampler.next() : null;
            if (sampled != null && sampled.leftOutBefore() > 0) {
                ACCESS.atInfo().addKeyValue("left_out", sampled.leftOutBefore())
                        .log("{} request(s) not logged in the last second (access_log_max_per_second)",
                                sampled.leftOutBefore());
            }
            if (sampled != null && sampled.log()) {
                String model = ctx.pathParam("name");
                String r = route == null ? "unmatched" : route;
                String m = model == null ? "-" : model;
                String ms = String.format("%.2f", nanos / 1e6);
                Integer ranIn = ctx.get(BATCH_ITEMS);
                String batch = ranIn == null ? "-" : ranIn.toString(); // "-": the request ran no batch
                String client = ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().hostAddress();
                // the fields also as key-value pairs: LOG_FORMAT=json writes them as keys of the line's object
                ACCESS.atInfo().addKeyValue("method", ctx.request().method().name()).addKeyValue("path", ctx.request().path())
                        .addKeyValue("route", r).addKeyValue("model", m).addKeyValue("status", ctx.response().getStatusCode())
                        .addKeyValue("bytes", ctx.response().bytesWritten()).addKeyValue("ms", ms)
                        .addKeyValue("batch", batch).addKeyValue("client", client)
                        .log("{} {} route={} model={} status={} bytes={} ms={} batch={} client={}", ctx.request().method(),
                                ctx.request().path(), r, m, ctx.response().getStatusCode(),
                                ctx.response().bytesWritten(), ms, batch, client);
            }
        });
        ctx.next();
    }

    ServingState state() {
        return state;
    }

    long maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * Hands the request to the serving core, renders its outputs on the thread that completed the batch
     * (outputs are small next to inputs, and one thread hop less is measurable at low concurrency),
     * compresses them there when Accept-Encoding asks, and answers on the request's event loop. A client
     * that disconnects cancels its request.
     */
    void respond(RoutingContext ctx, InferenceService service, RequestDecoder decoder,
                 Function<Map<String, Tensor>, HttpBody> render) {
        respond(ctx, service.run(decoder), r -> render.apply(r.outputs()));
    }

    /** {@link #respond(RoutingContext, InferenceService, RequestDecoder, Function)} for a request already run. */
    void respond(RoutingContext ctx, CompletableFuture<Inference> result, Function<Inference, HttpBody> render) {
        Context context = Vertx.currentContext();
        ContentCoding coding = ContentCoding.forResponse(ctx.request().getHeader("Accept-Encoding"));
        // An end handler, not response().closeHandler(): the router's end handlers rely on the latter.
        ctx.addEndHandler(end -> {
            if (end.failed()) {
                result.cancel(false);
            }
        });
        // read on the event loop, after runOnContext: the routing context is the event loop's alone
        int[] batchItems = {0};
        result.thenApply(r -> {
            batchItems[0] = r.batchItems();
            return render.apply(r);
        }).thenApply(body -> coding == ContentCoding.IDENTITY ? body
                : new HttpBody(coding.compress(body.body()), body.contentType(), body.jsonLength()))
                .whenComplete((body, error) -> context.runOnContext(v -> {
                    if (batchItems[0] > 0) {
                        ctx.put(BATCH_ITEMS, batchItems[0]); // for the access log
                    }
                    if (error != null) {
                        errors.send(ctx, Failures.classify(error));
                    } else if (!ctx.response().closed()) {
                        send(ctx, body, coding);
                    }
                }));
    }

    private static void send(RoutingContext ctx, HttpBody body, ContentCoding coding) {
        HttpServerResponse response = ctx.response().putHeader("Content-Type", body.contentType())
                .putHeader("Vary", "Accept-Encoding");
        if (body.jsonLength() >= 0) {
            response.putHeader(BinaryTensors.HEADER, Integer.toString(body.jsonLength()));
        }
        if (coding != ContentCoding.IDENTITY) {
            response.putHeader("Content-Encoding", coding.token());
        }
        response.end(Buffer.buffer(body.body()));
    }
}
