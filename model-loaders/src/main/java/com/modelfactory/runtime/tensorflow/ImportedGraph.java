package com.modelfactory.runtime.tensorflow;

import com.modelfactory.runtime.engine.ModelLoadException;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** Imports a GraphDef into a new Graph and opens a Session on it; closes both if opening fails. */
final class ImportedGraph {
    private ImportedGraph() {
    }

    record Opened(Graph graph, Session session) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
            graph.close();
        }
    }

    static Opened open(GraphDef def, ConfigProto config, String what) throws ModelLoadException {
        Graph graph = new Graph();
        try {
            graph.importGraphDef(withoutDevices(def));
        } catch (RuntimeException e) {
            graph.close();
            throw new ModelLoadException("TensorFlow could not import the graph of " + what + ": "
                    + TfErrors.message(e), e);
        }
        try {
            return new Opened(graph, new Session(graph, config));
        } catch (RuntimeException e) {
            graph.close();
            throw new ModelLoadException("TensorFlow could not open a session for " + what + ": "
                    + TfErrors.message(e), e);
        }
    }

    /**
     * Drops the device pins the training machine left on each node ("/device:GPU:0", "/job:worker"),
     * as Python's clear_devices=True does: the runtime chooses the device through the session config.
     */
    static GraphDef withoutDevices(GraphDef def) {
        boolean pinned = def.getNodeList().stream().anyMatch(n -> !n.getDevice().isEmpty());
        if (!pinned) {
            return def;
        }
        GraphDef.Builder b = def.toBuilder();
        for (int i = 0; i < b.getNodeCount(); i++) {
            NodeDef n = b.getNode(i);
            if (!n.getDevice().isEmpty()) {
                b.setNode(i, n.toBuilder().clearDevice());
            }
        }
        return b.build();
    }
}
