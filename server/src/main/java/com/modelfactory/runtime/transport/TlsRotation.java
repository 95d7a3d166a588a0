package com.modelfactory.runtime.transport;

import com.modelfactory.runtime.config.RuntimeConfig.TlsSettings;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * New certificates without a restart: the TLS files are looked at every second; once they changed (and
 * stayed unchanged for one more look, so a half-written renewal is not taken) and pass {@link TlsFiles#check},
 * every listening server uses them for new connections; open connections keep theirs. Files that do not
 * pass are refused and logged, and the ones in force are kept.
 */
public final class TlsRotation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsRotation.class);
    static final long CHECK_MS = 1_000;

    private final TlsSettings tls;
    private final Consumer<ServerSSLOptions> servers;
    private final ScheduledExecutorService timer;
    private List<FileTime> inForce;
    private List<FileTime> seen;

    /** @param servers hands new options to every listening server */
    public TlsRotation(TlsSettings tls, Consumer<ServerSSLOptions> servers) {
        this.tls = tls;
        this.servers = servers;
        this.inForce = times();
        this.seen = inForce;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tls-rotation");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::look, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
    }

    private List<FileTime> times() {
        List<FileTime> out = new ArrayList<>();
        for (Path p : new Path[] {tls.cert(), tls.key(), tls.clientCa()}) {
            try {
                out.add(p == null ? null : Files.getLastModifiedTime(p));
            } catch (IOException e) {
                out.add(null);
            }
        }
        return out;
    }

    private void look() {
        List<FileTime> now = times();
        if (now.equals(inForce)) {
            seen = now;
            return;
        }
        if (!now.equals(seen)) { // still changing: look again next time
            seen = now;
            return;
        }
        inForce = now;
        try {
            java.security.cert.X509Certificate cert = TlsFiles.check(tls);
            servers.accept(TlsFiles.sslOptions(tls));
            log.info("TLS files changed: serving certificate serial {} (valid to {}) to new connections",
                    cert.getSerialNumber().toString(16), cert.getNotAfter());
        } catch (RuntimeException e) {
            log.error("TLS files changed but cannot be used, the certificate in force is kept: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
