package com.modelfactory.runtime.grpc;

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
        ModelInfo m = state.info();
        if (m != null) {
            m.requireNamed(r.getName(), r.getVersion());
        }
        return ModelReadyResponse.newBuilder().setReady(m != null && state.ready()).build();
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
        ServingState.RepositoryEntry e = state.repositoryEntry();
        if (e == null || (r.getReady() && !e.ready())) {
            return b.build();
        }
        ModelIndex.Builder entry = ModelIndex.newBuilder().setName(e.name()).setState(e.state());
        if (e.version() != null) {
            entry.setVersion(e.version());
        }
        if (e.reason() != null) {
            entry.setReason(e.reason());
        }
        return b.addModels(entry).build();
    }

    private ModelInfo named(String name, String version) {
        ModelInfo m = state.info();
        if (m == null) {
            throw ServingException.unavailable("the model is still loading; retry when ServerReady answers true");
        }
        m.requireNamed(name, version);
        return m;
    }
}
