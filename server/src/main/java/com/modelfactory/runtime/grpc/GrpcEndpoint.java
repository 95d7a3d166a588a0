package com.modelfactory.runtime.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.modelfactory.runtime.auth.AccessControl;
import com.modelfactory.runtime.auth.EndpointGroup;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.error.ServingException.Kind;
import com.modelfactory.runtime.grpc.proto.ModelConfigRequest;
import com.modelfactory.runtime.grpc.proto.ModelMetadataRequest;
import com.modelfactory.runtime.grpc.proto.ModelReadyRequest;
import com.modelfactory.runtime.grpc.proto.ModelStatisticsRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryModelLoadRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryModelUnloadRequest;
import com.modelfactory.runtime.grpc.proto.ServerLiveRequest;
import com.modelfactory.runtime.grpc.proto.ServerMetadataRequest;
import com.modelfactory.runtime.grpc.proto.ServerReadyRequest;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.serving.ServingState;
import com.modelfactory.runtime.transport.ResetBudget;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The gRPC service {@code inference.GRPCInferenceService} as a Vert.x request handler: on the HTTP port
 * (requests whose content-type is application/grpc come here, see {@link #or}) and on the gRPC port.
 * Vert.x's gRPC server frames the messages; each call is a {@link GrpcCall}, dispatched by method name
 * to {@link InferRpc} or {@link MetadataRpcs}. Unknown methods answer UNIMPLEMENTED at once.
 */
public final class GrpcEndpoint implements Handler<HttpServerRequest> {
    static final String SERVICE = "inference.GRPCInferenceService";
    /** The other RPCs' requests are a name or two: a bigger one is refused before it is inflated. */
    private static final long SMALL_MESSAGE_BYTES = 64 * 1024;
    /** Per-stream HTTP/2 receive window: a 600 KB tensor arrives without waiting for window updates. */
    private static final int STREAM_WINDOW = 1 << 20;
    private static final int CONNECTION_WINDOW = 16 << 20;

    private final AccessControl access;
    private final Vertx vertx;
    private final RuntimeMetrics metrics;
    private final Duration bodyTimeout;
    private final GrpcServer server;
    private final Map<String, Consumer<GrpcCall>> rpcs = new LinkedHashMap<>();

    /** @param servedName the model's name, known before it is loaded */
    public GrpcEndpoint(Vertx vertx, ServingState state, RuntimeMetrics metrics, RuntimeConfig config,
                        String servedName) {
        this(vertx, state, metrics, config, servedName, AccessControl.open());
    }

    /** As above, with bearer tokens (the authorization metadata entry) checked on every call. */
    public GrpcEndpoint(Vertx vertx, ServingState state, RuntimeMetrics metrics, RuntimeConfig config,
                        String servedName, AccessControl access) {
        this.access = access;
        this.vertx = vertx;
        this.metrics = metrics;
        this.bodyTimeout = config.server().bodyTimeout();
        long maxBytes = config.server().maxBodyBytes();
        this.server = GrpcServer.server(vertx, new GrpcServerOptions()
                .setMaxMessageSize(Math.min(maxBytes, 0xFFFFFFFFL))
                .removeEnabledProtocol(GrpcProtocol.WEB).removeEnabledProtocol(GrpcProtocol.WEB_TEXT)
                .removeEnabledProtocol(GrpcProtocol.TRANSCODING));
        server.callHandler(this::call);
        MetadataRpcs meta = new MetadataRpcs(state, servedName);
        InferRpc infer = new InferRpc(state, maxBytes);
        rpcs.put("ServerLive", small(ServerLiveRequest.parser(), meta::serverLive));
        rpcs.put("ServerReady", small(ServerReadyRequest.parser(), meta::serverReady));
        rpcs.put("ModelReady", small(ModelReadyRequest.parser(), meta::modelReady));
        rpcs.put("ServerMetadata", small(ServerMetadataRequest.parser(), meta::serverMetadata));
        rpcs.put("ModelMetadata", small(ModelMetadataRequest.parser(), meta::modelMetadata));
        rpcs.put("ModelInfer", infer::call);
        rpcs.put("ModelConfig", small(ModelConfigRequest.parser(), meta::modelConfig));
        rpcs.put("ModelStatistics", small(ModelStatisticsRequest.parser(), meta::modelStatistics));
        rpcs.put("RepositoryIndex", small(RepositoryIndexRequest.parser(), meta::repositoryIndex));
        rpcs.put("RepositoryModelLoad", later(RepositoryModelLoadRequest.parser(), meta::repositoryModelLoad));
        rpcs.put("RepositoryModelUnload", later(RepositoryModelUnloadRequest.parser(), meta::repositoryModelUnload));
    }

    /** A gRPC request: its content-type is application/grpc (with +proto, +json, -web...). */
    public static boolean accepts(HttpServerRequest request) {
        String type = request.getHeader("content-type");
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
    }

    /** gRPC requests to this endpoint, every other request to {@code other} (the HTTP routes). */
    public Handler<HttpServerRequest> or(Handler<HttpServerRequest> other) {
        return request -> {
            if (accepts(request)) {
                handle(request);
            } else {
                other.handle(request);
            }
        };
    }

    /**
     * HTTP/2 settings for a server carrying gRPC: wider receive windows for large tensors; the rest of
     * Vert.x's initial settings stay (100 concurrent streams a connection); stream resets are limited by
     * {@link ResetBudget}, Vert.x's flat limit only an outer bound.
     */
    public static HttpServerOptions http2(HttpServerOptions options) {
        Http2Settings settings = new Http2Settings(options.getInitialSettings()).setInitialWindowSize(STREAM_WINDOW);
        return ResetBudget.outerLimit(options).setHttp2ConnectionWindowSize(CONNECTION_WINDOW)
                .setInitialSettings(settings);
    }

    @Override
    public void handle(HttpServerRequest request) {
        // Vert.x's deframer throws, and the call hangs, on a message flagged compressed when the call names no
        // grpc-encoding: a marker named instead makes it a message that MessageCodec refuses with a word.
        if (!request.headers().contains("grpc-encoding")) {
            request.headers().set("grpc-encoding", MessageCodec.UNDECLARED);
        }
        server.handle(request);
    }

    private void call(GrpcServerRequest<Buffer, Buffer> request) {
        String full = request.fullMethodName();
        String name = full.startsWith(SERVICE + "/") ? full.substring(SERVICE.length() + 1) : null;
        Consumer<GrpcCall> rpc = name == null ? null : rpcs.get(name);
        GrpcCall call = new GrpcCall(request, vertx, metrics, rpc == null ? "unknown" : name);
        try {
            access.require(request.headers().get("authorization"), EndpointGroup.ofGrpc(name == null ? "" : name));
        } catch (ServingException refused) {
            call.fail(refused);
            return;
        }
        if (rpc == null) {
            call.fail(new ServingException(Kind.METHOD_NOT_ALLOWED, "unknown method '" + full + "'; this server "
                    + "implements " + SERVICE + "/" + String.join(", ", rpcs.keySet())));
        } else if (request.format() != WireFormat.PROTOBUF) {
            call.fail(new ServingException(Kind.UNSUPPORTED_MEDIA_TYPE, "only protobuf messages are served "
                    + "(content-type application/grpc or application/grpc+proto)"));
        } else {
            call.start(bodyTimeout, rpc);
        }
    }

    /** An RPC whose request is small and whose answer comes later (a model loading): read on the event loop. */
    private <Q extends MessageLite> Consumer<GrpcCall> later(Parser<Q> parser,
            Function<Q, java.util.concurrent.CompletableFuture<? extends MessageLite>> answer) {
        return call -> answer.apply(readSmall(call, parser)).whenComplete((m, e) -> {
            if (e == null) {
                call.respond(m);
            } else {
                call.fail(e); // classified there, CompletionException unwrapped
            }
        });
    }

    /** An RPC whose request is small: read and answered on the event loop. */
    private <Q extends MessageLite> Consumer<GrpcCall> small(Parser<Q> parser, Function<Q, MessageLite> answer) {
        return call -> call.respond(answer.apply(readSmall(call, parser)));
    }

    private static <Q extends MessageLite> Q readSmall(GrpcCall call, Parser<Q> parser) {
        try {
            return parser.parseFrom(CodedInputStream.newInstance(MessageCodec.read(call.message(),
                    SMALL_MESSAGE_BYTES, "the most a " + call.method() + " request takes")));
        } catch (InvalidProtocolBufferException e) {
            throw ServingException.badInput("the request is not a valid " + call.method() + " request: "
                    + e.getMessage());
        }
    }
}
