package com.modelfactory.runtime.metrics;

import com.modelfactory.runtime.error.FailureReport;
import com.modelfactory.runtime.serving.ServingObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every metric the runtime exports, in Prometheus conventions (base units, _total counters), labelled
 * by model. Latencies are histograms so p99 can be aggregated across replicas.
 *
 * <p>Native memory of the engines (ONNX Runtime, LibTorch, TensorFlow arenas) is not visible to the JVM;
 * on Linux {@code process_resident_memory_bytes} (VmRSS) includes it, and
 * {@code process_resident_memory_bytes - jvm_memory_used_bytes} approximates it.
 */
public final class RuntimeMetrics implements ServingObserver, FailureReport.Counts {
    /**
     * Latency buckets of every timer: 100 µs to 60 s, about 2.5x apart (18 and +Inf). Micrometer's percentile
     * histogram gave 94 buckets a series (1,451 lines of /metrics after 20 requests); these answer the same
     * SLO questions (p50/p99 by histogram_quantile within a bucket's width) at a fifth of the series.
     */
    static final Duration[] LATENCY_BUCKETS = java.util.stream.DoubleStream.of(0.0001, 0.00025, 0.0005, 0.001,
            0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .mapToObj(seconds -> Duration.ofNanos(Math.round(seconds * 1e9))).toArray(Duration[]::new);

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Duration[] latencyBuckets;
    private final String model;
    /** model and version: the labels of every per-model series. */
    private final Tags modelTags;
    /** model_info, one per registry (the Prometheus client refuses a second registration of a name). */
    private final java.util.concurrent.atomic.AtomicReference<Info> modelInfo;
    /** Every model's model_info label values by version, shared by the registry's RuntimeMetrics (for removal). */
    private final Map<String, Map<String, String[]>> infoValues;
    private final String version;
    private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> rpcTimers = new ConcurrentHashMap<>();
    private final Timer queueWait;
    private final Timer inference;
    private final Timer preprocess;
    private final DistributionSummary batchSize;
    private final Counter rejected;
    private final Counter timedOut;

    public RuntimeMetrics(String model) {
        this(model, null);
    }

    /** @param latencyBuckets bucket bounds of every latency histogram (null = {@link #LATENCY_BUCKETS}) */
    public RuntimeMetrics(String model, List<Duration> latencyBuckets) {
        this(newRegistry(), latencyBuckets == null ? LATENCY_BUCKETS : latencyBuckets.toArray(Duration[]::new), model, "1",
                new java.util.concurrent.atomic.AtomicReference<>(), new ConcurrentHashMap<>());
        bindProcessMetrics();
    }

    private RuntimeMetrics(PrometheusMeterRegistry registry, Duration[] latencyBuckets, String model, String version,
                           java.util.concurrent.atomic.AtomicReference<Info> modelInfo,
                           Map<String, Map<String, String[]>> infoValues) {
        this.registry = registry;
        this.latencyBuckets = latencyBuckets;
        this.model = model;
        this.infoValues = infoValues;
        this.version = version;
        this.modelTags = Tags.of("model", model, "version", version);
        this.modelInfo = modelInfo;
        queueWait = latency("model_queue_wait", "time a request waited in the batch queue");
        inference = latency("model_inference", "time the engine took to run one batch");
        preprocess = latency("model_preprocess", "time to decode and shape an image or parse tensors");
        batchSize = DistributionSummary.builder("model_batch_size")
                .description("items per executed batch").tags(modelTags)
                .serviceLevelObjectives(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512).register(registry);
        rejected = Counter.builder("model_requests_rejected").description("requests refused with 503: queue full, loading or shutting down")
                .tags(modelTags).register(registry);
        timedOut = Counter.builder("model_requests_timed_out").description("requests that passed their deadline (504)")
                .tags(modelTags).register(registry);
    }

    /**
     * The metrics of another model of a repository: its own {@code model} label, in this server's one
     * registry (one scrape, one set of JVM and process metrics).
     */
    public RuntimeMetrics forModel(String otherModel) {
        return forModel(otherModel, "1");
    }

    /** {@link #forModel(String)} for one version of it: its series carry {@code version} too. */
    public RuntimeMetrics forModel(String otherModel, String version) {
        return new RuntimeMetrics(registry, latencyBuckets, otherModel, version, modelInfo, infoValues);
    }

    /** Takes this model's meters out of the scrape (an unloaded model of a repository). */
    public void removeModel() {
        for (Meter m : List.copyOf(registry.getMeters())) {
            if (model.equals(m.getId().getTag("model")) && !m.getId().getName().startsWith("http.server")
                    && !m.getId().getName().startsWith("grpc.server")) {
                registry.remove(m);
            }
        }
        synchronized (modelInfo) {
            Info info = modelInfo.get();
            Map<String, String[]> versions = infoValues.remove(model);
            if (info != null && versions != null) {
                versions.values().forEach(info::remove);
            }
        }
    }

    /**
     * Takes one version's series out of the scrape (a version unloaded while others of the model stay): its
     * meters and its model_info line.
     */
    public void removeVersion(String model, String version) {
        for (Meter m : List.copyOf(registry.getMeters())) {
            if (model.equals(m.getId().getTag("model")) && version.equals(m.getId().getTag("version"))
                    && !m.getId().getName().startsWith("http.server") && !m.getId().getName().startsWith("grpc.server")) {
                registry.remove(m);
            }
        }
        synchronized (modelInfo) {
            Info info = modelInfo.get();
            Map<String, String[]> versions = infoValues.get(model);
            String[] values = versions == null ? null : versions.remove(version);
            if (info != null && values != null) {
                info.remove(values);
            }
        }
    }

    /** The registry with its filters, configured before any meter is registered (Micrometer warns otherwise). */
    private static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Micrometer exports process CPU time in nanoseconds; Prometheus convention is seconds (below).
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        // "system_cpu_count" reads as a histogram part to Prometheus tooling (promtool rejects it).
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        return registry;
    }

    private void bindProcessMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process_cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the process").baseUnit("seconds").register(registry);
        }
        Gauge.builder("process_resident_memory_bytes", () -> procStatus("VmRSS:"))
                .description("resident set size of the process (native memory of the engines included)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("process_resident_memory_peak_bytes", () -> procStatus("VmHWM:"))
                .description("peak resident set size of the process").baseUnit("bytes").register(registry);
    }

    private Timer latency(String name, String help) {
        return Timer.builder(name).description(help).tags(modelTags)
                .serviceLevelObjectives(latencyBuckets).register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    /** One HTTP request finished: counted by route and status, timed into a latency histogram. */
    public void request(String route, int status, long nanos) {
        String key = route + '|' + status;
        requestTimers.computeIfAbsent(key, k -> Timer.builder("http_server_requests")
                .description("HTTP requests by route and status").tags(Tags.of("model", model, "route", route,
                        "status", Integer.toString(status)))
                .serviceLevelObjectives(latencyBuckets).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One gRPC call finished: counted by method and status code (OK, UNAVAILABLE, ...), timed. */
    public void rpc(String method, String code, long nanos) {
        rpcTimers.computeIfAbsent(method + '|' + code, k -> Timer.builder("grpc_server_requests")
                .description("gRPC calls by method and status code").tags(Tags.of("model", model, "method", method,
                        "code", code))
                .serviceLevelObjectives(latencyBuckets).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void decoded(long nanos) {
        preprocess.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A counter read from {@code source} at each scrape (Prometheus: {@code <name>_total}). Micrometer holds
     * {@code source} weakly: pass the object that keeps the count (a LongAdder the model owns), not a lambda.
     */
    public <T> void counter(String name, String help, T source, java.util.function.ToDoubleFunction<T> value) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, source, value)
                .description(help).tags(modelTags).register(registry);
    }

    /** A gauge of the whole server (no model or version label). */
    public void serverGauge(String name, String help, Supplier<Number> value) {
        Gauge.builder(name, value).description(help).register(registry);
    }

    /** A counter of the whole server (no model or version label), read from {@code source} at each scrape. */
    public <T> void serverCounter(String name, String help, T source, java.util.function.ToDoubleFunction<T> value) {
        FunctionCounter.builder(name, source, value).description(help).register(registry);
    }

    /** A server-wide counter with labels of its own (no model or version). */
    public <T> void serverCounterTagged(String name, String help, T source, java.util.function.ToDoubleFunction<T> value,
                                        String... tags) {
        FunctionCounter.builder(name, source, value).description(help).tags(tags).register(registry);
    }

    public void gauge(String name, String help, Supplier<Number> value) {
        Gauge.builder(name, value).description(help).tags(modelTags).register(registry);
    }

    /**
     * {@code model_info{model, format, engine, device, version} 1}. A Prometheus Info metric rather than a
     * Micrometer gauge: the Prometheus client reserves the _info suffix for that type and strips it from gauges.
     */
    public void modelInfo(Map<String, String> labels) {
        String[] names = new String[labels.size() + 1];
        String[] values = new String[labels.size() + 1];
        names[0] = "model";
        values[0] = model;
        int i = 1;
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(labels).entrySet()) { // the same order every call
            names[i] = e.getKey();
            values[i++] = e.getValue() == null ? "" : e.getValue();
        }
        // Registered once per registry, and every line changed, under one lock: updateAndGet may run its function
        // twice when two models of a repository load at once (the second registration failed that model's load),
        // and Info.setLabelValues replaces every other model's line. Each model version has its own line.
        synchronized (modelInfo) {
            Info info = modelInfo.get();
            if (info == null) {
                info = Info.builder().name("model_info").help("the served model: format, engine, device and version")
                        .labelNames(names).register(registry.getPrometheusRegistry());
                modelInfo.set(info);
            }
            String[] previous = infoValues.computeIfAbsent(model, m -> new ConcurrentHashMap<>()).put(version, values);
            if (previous != null) {
                info.remove(previous);
            }
            info.addLabelValues(values);
        }
    }

    /** The model download once done: 0 when the model was a local file, so dashboards need no special case. */
    public void modelDownload(long bytes, double seconds, int retries) {
        startupValue("model_download_size", "bytes downloaded from the model store", "bytes", bytes);
        startupValue("model_download_duration", "time to download the model from the model store", "seconds", seconds);
        startupValue("model_download_retries", "retries the model download needed", null, retries);
    }

    /** Bytes of the model download so far, while it runs (a long download is visible before the model loads). */
    public void downloadProgress(Supplier<Number> bytes) {
        Gauge.builder("model_download_progress", bytes).description("bytes of the model download received so far")
                .baseUnit("bytes").tags(modelTags).register(registry);
    }

    /** A value fixed at start: load time, warm-up time, download size. */
    public void startupValue(String name, String help, String unit, double value) {
        Gauge.builder(name, () -> value).description(help).baseUnit(unit).tags(modelTags).register(registry);
    }

    @Override
    public void queueWait(long nanos) {
        queueWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void batchExecuted(int requests, int items, long inputNanos, long inferNanos, long outputNanos) {
        batchSize.record(items);
        inference.record(inferNanos, TimeUnit.NANOSECONDS);
    }

    /** A request was refused with 503 (queue full, loading, draining), at whatever stage. */
    @Override
    public void rejected() {
        rejected.increment();
    }

    /** A request was answered 504: its deadline passed. */
    @Override
    public void timedOut() {
        timedOut.increment();
    }

    private static double procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Double.parseDouble(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
