package com.modelfactory.runtime;

/**
 * Life cycle of the process as probes see it: live from the first moment the port is open, ready only
 * once the model is loaded and warmed up, not ready again as soon as shutdown begins.
 */
public final class ServingState {
    private volatile ServedModel model;
    private volatile boolean ready;
    private volatile boolean draining;

    public ServedModel model() {
        return model;
    }

    public void modelReady(ServedModel m) {
        this.model = m;
        this.ready = true;
    }

    public void beginDrain() {
        draining = true;
        ready = false;
    }

    public boolean ready() {
        return ready && !draining;
    }

    public boolean draining() {
        return draining;
    }
}
