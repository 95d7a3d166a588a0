package com.modelfactory.runtime.batch;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress as a bar on the terminal (me.tongfei:progressbar): done/total, images/s, ETA, failures. */
final class ProgressBarDisplay implements ProgressDisplay {
    private final ProgressBar bar;

    ProgressBarDisplay(long total, long before) {
        this.bar = new ProgressBarBuilder().setTaskName("batch").setInitialMax(total).setUnit(" img", 1)
                .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(500).build();
        bar.stepTo(before);
    }

    /** Only when the process has a terminal: in a pod or with output redirected the log lines are better. */
    static boolean terminal() {
        return System.console() != null;
    }

    @Override
    public void update(Progress.Snapshot p) {
        bar.stepTo(p.done());
        if (p.failed() > 0) {
            bar.setExtraMessage(" " + p.failed() + " failed");
        }
    }

    @Override
    public void finish(Progress.Snapshot p) {
        update(p);
        bar.close();
    }
}
