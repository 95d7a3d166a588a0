package com.modelfactory.runtime.batch;

/** Shows a batch run's progress: called about once a second while it runs, and once at the end. */
public interface ProgressDisplay {
    void update(Progress.Snapshot progress);

    default void finish(Progress.Snapshot progress) {
        update(progress);
    }
}
