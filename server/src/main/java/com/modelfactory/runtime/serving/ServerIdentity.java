package com.modelfactory.runtime.serving;

import java.util.List;

/** What every protocol's server metadata reports: the same name, version and extensions everywhere. */
public final class ServerIdentity {
    public static final String NAME = "model-runtime";
    public static final String VERSION = versionOf();
    /**
     * The Triton extensions every front end implements (REST adds its binary_tensor_data): the model
     * configuration, statistics and repository index, as Triton names them.
     */
    public static final List<String> EXTENSIONS = List.of("model_configuration", "statistics", "model_repository");

    private ServerIdentity() {
    }

    private static String versionOf() {
        String v = ServerIdentity.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
