package com.modelfactory.runtime.grpc;

import com.modelfactory.runtime.grpc.proto.RepositoryModelLoadRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryModelLoadResponse;
import com.modelfactory.runtime.grpc.proto.RepositoryModelUnloadRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryModelUnloadResponse;
import com.modelfactory.runtime.serving.ModelRegistry;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import com.modelfactory.runtime.engine.TensorSpec;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.grpc.proto.ModelConfigRequest;
import com.modelfactory.runtime.grpc.proto.ModelConfigResponse;
import com.modelfactory.runtime.grpc.proto.ModelMetadataRequest;
import com.modelfactory.runtime.grpc.proto.ModelMetadataResponse;
import com.modelfactory.runtime.grpc.proto.ModelMetadataResponse.TensorMetadata;
import com.modelfactory.runtime.grpc.proto.ModelReadyRequest;
import com.modelfactory.runtime.grpc.proto.ModelReadyResponse;
import com.modelfactory.runtime.grpc.proto.ModelStatisticsRequest;
import com.modelfactory.runtime.grpc.proto.ModelStatisticsResponse;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexRequest;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexResponse;
import com.modelfactory.runtime.grpc.proto.RepositoryIndexResponse.ModelIndex;
import com.modelfactory.runtime.grpc.proto.ServerLiveRequest;
import com.modelfactory.runtime.grpc.proto.ServerLiveResponse;
import com.modelfactory.runtime.grpc.proto.ServerMetadataRequest;
import com.modelfactory.runtime.grpc.proto.ServerMetadataResponse;
import com.modelfactory.runtime.grpc.proto.ServerReadyRequest;
import com.modelfactory.runtime.grpc.proto.ServerReadyResponse;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelConfigView;
import com.modelfactory.runtime.serving.ModelInfo;
import com.modelfactory.runtime.serving.ServerIdentity;
import com.modelfactory.runtime.serving.ServingState;

/**
 * Health, metadata, model configuration, statistics and the repository index: the same facts as the REST
 * routes (GET /v2, /v2/models/{m}, .../ready), from the serving core's {@link ServingState}.
 */
final class MetadataRpcs {

    private final ServingState state;
    private final String servedName;

    /** @param servedName the model's name, known before it is loaded (for the repository index) */
    MetadataRpcs(ServingState state, String servedName) {
        this.state = state;
        this.servedName = servedName;
    }

    ServerLiveResponse serverLive(ServerLiveRequest r) {
        return ServerLiveResponse.newBuilder().setLive(true).build();
    }

    ServerReadyResponse serverReady(ServerReadyRequest r) {
        return ServerReadyResponse.newBuilder().setReady(state.ready()).build();
    }

    /** Not ready while loading (its name is not checked then) or draining; NOT_FOUND for another name. */
    ModelReadyResponse modelReady(ModelReadyRequest r) {
        return ModelReadyResponse.newBuilder().setReady(state.ready(r.getName(), r.getVersion())).build();
    }

    ServerMetadataResponse serverMetadata(ServerMetadataRequest r) {
        return ServerMetadataResponse.newBuilder().setName(ServerIdentity.NAME).setVersion(ServerIdentity.VERSION)
                .addAllExtensions(ServerIdentity.EXTENSIONS).build();
    }

    ModelMetadataResponse modelMetadata(ModelMetadataRequest r) {
        ModelInfo m = named(r.getName(), r.getVersion());
        ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(m.name())
                .addVersions(m.version()).setPlatform(m.platform());
        m.signature().inputs().forEach(t -> b.addInputs(tensor(t)));
        m.signature().outputs().forEach(t -> b.addOutputs(tensor(t)));
        return b.build();
    }

    private static TensorMetadata tensor(TensorSpec t) {
        TensorMetadata.Builder b = TensorMetadata.newBuilder().setName(t.name()).setDatatype(t.dataType().name());
        if (t.shapeKnown()) {
            for (long d : t.shape()) {
                b.addShape(d);
            }
        } else {
            b.addShape(-1); // unknown rank (TorchScript without config), as on REST
        }
        return b.build();
    }

    ModelConfigResponse modelConfig(ModelConfigRequest r) {
        ModelInfo m = named(r.getName(), r.getVersion());
        return ModelConfigResponse.newBuilder().setConfig(ModelConfigs.of(ModelConfigView.of(m))).build();
    }

    /** Every model (the one) without a name; NOT_FOUND for another name; UNAVAILABLE before it is loaded. */
    ModelStatisticsResponse modelStatistics(ModelStatisticsRequest r) {
        ModelStatisticsResponse.Builder b = ModelStatisticsResponse.newBuilder();
        if (state.registry() != null) {
            List<InferenceService> services = r.getName().isEmpty() ? state.services()
                    : List.of(state.service(r.getName(), r.getVersion()));
            services.forEach(s -> b.addModelStats(Statistics.of(s.info(), s.statistics().snapshot())));
            return b.build();
        }
        InferenceService service = state.loaded();
        if (service == null) {
            if (!r.getName().isEmpty()) {
                throw ServingException.unavailable("the model is still loading; retry when ServerReady answers true");
            }
            return b.build();
        }
        if (!r.getName().isEmpty()) {
            service.info().requireNamed(r.getName(), r.getVersion());
        }
        return b.addModelStats(Statistics.of(service.info(), service.statistics().snapshot())).build();
    }

    /** The one model: READY, or UNAVAILABLE with the reason (loading, shutting down). */
    RepositoryIndexResponse repositoryIndex(RepositoryIndexRequest r) {
        if (!r.getRepositoryName().isEmpty()) {
            throw new ServingException(ServingException.Kind.METHOD_NOT_ALLOWED,
                    "'repository_name' specification is not supported: this server has one repository");
        }
        RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
        for (ServingState.RepositoryEntry e : state.index()) {
            if (r.getReady() && !e.ready()) {
                continue;
            }
            ModelIndex.Builder entry = ModelIndex.newBuilder().setName(e.name()).setState(e.state());
            if (e.version() != null) {
                entry.setVersion(e.version());
            }
            if (e.reason() != null) {
                entry.setReason(e.reason());
            }
            b.addModels(entry);
        }
        return b.build();
    }

    /** Triton's load: the parameter "config" (a JSON object of model-config.yaml settings) overrides. */
    CompletableFuture<RepositoryModelLoadResponse> repositoryModelLoad(RepositoryModelLoadRequest r) {
        ModelRegistry registry = repository(r.getRepositoryName());
        if (registry == null) {
            state.info(r.getModelName(), null); // the served model loads (it is loaded); others NOT_FOUND
            return CompletableFuture.completedFuture(RepositoryModelLoadResponse.getDefaultInstance());
        }
        Map<String, Object> override = Map.of();
        if (r.containsParameters("config")) {
            try {
                override = new JsonObject(r.getParametersOrThrow("config").getStringParam()).getMap();
            } catch (DecodeException e) {
                throw ServingException.badInput("the 'config' parameter must be a JSON object of model settings");
            }
        }
        return registry.load(r.getModelName(), override).thenApply(v -> RepositoryModelLoadResponse.getDefaultInstance());
    }

    CompletableFuture<RepositoryModelUnloadResponse> repositoryModelUnload(RepositoryModelUnloadRequest r) {
        ModelRegistry registry = repository(r.getRepositoryName());
        if (registry == null) {
            ModelInfo m = state.info(r.getModelName(), null);
            throw ServingException.badInput("model '" + m.name() + "' is the one model this server was started with "
                    + "and cannot be unloaded; stop the server (SIGTERM drains it) instead");
        }
        return registry.unload(r.getModelName()).thenApply(v -> RepositoryModelUnloadResponse.getDefaultInstance());
    }

    private ModelRegistry repository(String repositoryName) {
        if (!repositoryName.isEmpty()) {
            throw new ServingException(ServingException.Kind.METHOD_NOT_ALLOWED,
                    "'repository_name' specification is not supported: this server has one repository");
        }
        return state.registry();
    }

    private ModelInfo named(String name, String version) {
        return state.info(name, version);
    }
}
