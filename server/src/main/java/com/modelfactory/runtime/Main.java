package com.modelfactory.runtime;

import com.modelfactory.runtime.batch.BatchCommand;
import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.LogLevel;
import com.modelfactory.runtime.logging.LogSetup;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.lifecycle.ExitCodes;
import com.modelfactory.runtime.lifecycle.RuntimeServer;
import com.modelfactory.runtime.lifecycle.StartupException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Entry point: reads the configuration, starts the runtime, and on SIGTERM/SIGINT drains and exits 0;
 * {@code batch ...} runs offline inference instead (batch/BatchCommand) and exits with its code.
 * A model that cannot be had or loaded stops the process with a message naming the cause.
 */
public final class Main {
    static {
        // Before any engine class loads: run offline, no usage tracking (DJL), no telemetry.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    }

    /** Made once logging is set up (level and format), before anything else logs. */
    private static Logger log;

    private Main() {
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(ConfigLoader.help());
            return;
        }
        String level = LogLevel.of(args, System.getenv());
        if (level == null) {
            System.err.println("configuration error: log_level must be one of " + LogLevel.LEVELS);
            System.exit(ExitCodes.CONFIG);
            return;
        }
        String format = LogSetup.format(args, System.getenv());
        if (format == null) {
            System.err.println("configuration error: log_format must be one of " + LogSetup.FORMATS);
            System.exit(ExitCodes.CONFIG);
            return;
        }
        LogSetup.apply(level, format);
        log = LoggerFactory.getLogger(Main.class);
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        if (args.length > 0 && args[0].equals("batch")) {
            System.exit(BatchCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv()));
            return;
        }
        RuntimeConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            System.exit(ExitCodes.CONFIG);
            return;
        }
        config.warnings().forEach(w -> log.warn("config: {}", w));
        RuntimeServer.Starting starting;
        try {
            starting = RuntimeServer.begin(config, ConfigLoader.perModel(args, System.getenv()));
        } catch (StartupException e) {
            failStartup(e);
            return;
        }
        AtomicReference<RuntimeServer> running = new AtomicReference<>();
        // Installed before the model arrives: a pod stopped during a long download exits 0 and cleans up,
        // instead of the JVM's default 143 with its temporary folders left behind.
        onStopSignal(sig -> stop(sig, running.get(), starting, config.server().drainTimeout()));
        try {
            running.set(starting.awaitReady());
        } catch (StartupException e) {
            failStartup(e);
        }
    }

    private static void failStartup(StartupException e) {
        log.error("start-up failed: {}", e.getMessage());
        log.debug("cause", e.getCause());
        System.err.println("start-up failed: " + e.getMessage());
        System.exit(e.exitCode());
    }

    /** SIGTERM and SIGINT call {@code stop} once, on a thread of their own; a second signal changes nothing. */
    private static void onStopSignal(java.util.function.Consumer<Signal> stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        sun.misc.SignalHandler onSignal = sig -> {
            if (stopping.compareAndSet(false, true)) {
                new Thread(() -> stop.accept(sig), "shutdown").start();
            }
        };
        Signal.handle(new Signal("TERM"), onSignal);
        Signal.handle(new Signal("INT"), onSignal);
    }

    /** Drains a running server, or abandons a start-up still under way; then always ends the process. */
    private static void stop(Signal sig, RuntimeServer server, RuntimeServer.Starting starting, Duration drain) {
        int code = ExitCodes.OK;
        try {
            if (server == null) {
                log.info("SIG{} received during start-up: stopping", sig.getName());
                starting.abort();
            } else {
                log.info("SIG{} received: not ready, draining {} accepted request(s) for up to {} ms",
                        sig.getName(), server.inFlight(), drain.toMillis());
                boolean drained = server.drainAndStop(drain);
                log.info(drained ? "drained; stopped" : "drain timeout; stopped with requests unfinished");
            }
        } catch (RuntimeException | Error e) {
            log.error("the drain failed; stopping anyway", e);
            code = ExitCodes.DRAIN_FAILED;
        } finally {
            // halt, not exit: the JVM's own SIGTERM exit status would be 143, and shutdown hooks have nothing
            // left to do. A drain is the expected way to stop, so it exits 0; a drain that broke must still end
            // the process rather than leave it running, unready, forever.
            Runtime.getRuntime().halt(code);
        }
    }
}
