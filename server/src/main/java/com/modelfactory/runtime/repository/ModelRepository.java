package com.modelfactory.runtime.repository;

import com.modelfactory.runtime.config.ConfigException;
import com.modelfactory.runtime.config.ConfigLoader;
import com.modelfactory.runtime.config.RuntimeConfig;
import com.modelfactory.runtime.config.RuntimeConfig.ControlMode;
import com.modelfactory.runtime.error.ServingException;
import com.modelfactory.runtime.fetch.AcquisitionListener;
import com.modelfactory.runtime.metrics.RuntimeMetrics;
import com.modelfactory.runtime.repository.RepositoryFolder.ModelFolder;
import com.modelfactory.runtime.repository.RepositoryModel.State;
import com.modelfactory.runtime.repository.RepositoryModel.Version;
import com.modelfactory.runtime.serving.InferenceService;
import com.modelfactory.runtime.serving.ModelRegistry;
import com.modelfactory.runtime.serving.ServingState.RepositoryEntry;
import com.modelfactory.runtime.startup.ModelSource;
import com.modelfactory.runtime.startup.ModelStartup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many models in one process, from a repository folder ({@link RepositoryFolder}): each version of each
 * model is a serving core of its own, with its own batching, workers and settings (the model's
 * model-config.yaml over the server-wide ones). Models load and unload on loader threads, never on a
 * request's path: one model loading, failing or draining leaves the others serving. Control modes as
 * Triton names them: {@code none} loads every model at start, {@code explicit} what the repository API
 * asks for (and {@code load_models} at start), {@code poll} also re-scans the folder, loading new
 * versions and models and unloading removed ones.
 */
public final class ModelRepository implements ModelRegistry {
    private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);

    private final RepositoryFolder folder;
    private final ConfigLoader.PerModel configs;
    private final RuntimeMetrics metrics;
    private final RuntimeConfig.RepositorySettings settings;
    private final Duration drainTimeout;
    private final Map<String, RepositoryModel> models = new ConcurrentHashMap<>();
    private final ExecutorService loaders;
    private final ScheduledExecutorService poller;
    private final CompletableFuture<Void> initialLoad = new CompletableFuture<>();
    private volatile boolean closed;
    private final MemoryBudget budget;
    /** Loads run one at a time while a budget applies: each load's RSS growth is then its own. */
    private final Object budgetLock = new Object();
    /** GPU_MEMORY_BUDGET, one pool per GPU index, made when a model first goes onto that GPU. */
    private final Map<Integer, MemoryBudget> gpuBudgets = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param server  the server-wide configuration (the repository's root, control mode, drain timeout)
     * @param configs each model's configuration from the server's flags and environment and its own yaml
     * @param metrics the server's metrics; each model reports under its own {@code model} label
     */
    public ModelRepository(RuntimeConfig server, ConfigLoader.PerModel configs, RuntimeMetrics metrics) {
        this.settings = server.repository();
        this.folder = new RepositoryFolder(settings.roots());
        this.configs = configs;
        this.metrics = metrics;
        this.drainTimeout = server.server().drainTimeout();
        AtomicInteger n = new AtomicInteger();
        this.loaders = Executors.newFixedThreadPool(2, r -> daemon(r, "model-loader-" + n.incrementAndGet()));
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "repository-poll"));
        this.budget = new MemoryBudget(settings.memoryBudget(), settings.evict());
        if (settings.gpuMemoryBudget() > 0) {
            metrics.serverGauge("model_repository_gpu_memory_used_bytes", "what the loaded models are charged against "
                    + "GPU_MEMORY_BUDGET, all GPUs together", () -> gpuBudgets.values().stream()
                    .mapToLong(MemoryBudget::used).sum());
        }
        if (budget.enabled()) {
            metrics.serverGauge("model_repository_memory_budget_bytes", "MODEL_MEMORY_BUDGET", budget::budget);
            metrics.serverGauge("model_repository_memory_used_bytes", "what the loaded models are charged against the "
                    + "budget", budget::used);
            metrics.serverCounter("model_repository_evictions", "models unloaded to make room under the memory budgets "
                    + "(host and GPUs)", this, ModelRepository::evictions);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Scans the folder and starts loading what the control mode loads at start (the server is not ready
     * until those have loaded or failed). Throws when the folder cannot be read.
     */
    public void start() {
        Map<String, ModelFolder> found = folder.scan();
        Set<String> names = new TreeSet<>(found.keySet());
        names.addAll(settings.storeModels().keySet());
        log.info("model repository {}: {} model(s) {} ({} mode)", folder.root(), names.size(), names,
                settings.mode().name().toLowerCase());
        List<CompletableFuture<Void>> loads = new ArrayList<>();
        for (String name : names) {
            model(name);
            if (loadsAtStart(name)) {
                loads.add(load(name, Map.of()).exceptionally(e -> null)); // reported in the index
            }
        }
        CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> initialLoad.complete(null));
        if (settings.mode() == ControlMode.POLL) {
            long every = settings.poll().toMillis();
            poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private boolean loadsAtStart(String name) {
        return settings.mode() != ControlMode.EXPLICIT || settings.loadModels().contains("*")
                || settings.loadModels().contains(name);
    }

    /** Completes once the models loaded at start are ready or have failed. */
    public CompletableFuture<Void> initialLoad() {
        return initialLoad;
    }

    private RepositoryModel model(String name) {
        return models.computeIfAbsent(name, n -> new RepositoryModel(n, metrics.forModel(n)));
    }

    @Override
    public InferenceService service(String name, String version) {
        RepositoryModel m = models.get(name);
        if (m == null) {
            throw ServingException.notFound("unknown model '" + name + "'; the repository holds "
                    + new TreeSet<>(models.keySet()));
        }
        m.lastUsed = System.nanoTime();
        return m.service(version);
    }

    @Override
    public boolean ready(String name, String version) {
        RepositoryModel m = models.get(name);
        if (m == null) {
            throw ServingException.notFound("unknown model '" + name + "'");
        }
        return m.ready(version);
    }

    @Override
    public boolean ready() {
        if (!initialLoad.isDone() || closed) {
            return false;
        }
        return models.values().stream().filter(m -> m.required).allMatch(m -> m.ready(null));
    }

    @Override
    public List<RepositoryEntry> index() {
        Set<String> names = new TreeSet<>(models.keySet());
        List<RepositoryEntry> out = new ArrayList<>();
        for (String name : names) {
            out.addAll(models.get(name).entries());
        }
        return out;
    }

    @Override
    public List<InferenceService> services() {
        List<InferenceService> out = new ArrayList<>();
        for (RepositoryModel m : models.values()) {
            for (Version v : m.versions()) {
                if (v.state() == State.READY) {
                    out.add(v.service());
                }
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> load(String name, Map<String, Object> configOverride) {
        if (!models.containsKey(name) && !settings.storeModels().containsKey(name) && !folder.scan().containsKey(name)) {
            // no entry for a name the repository does not hold: made-up names must not grow the index or metrics
            return CompletableFuture.failedFuture(ServingException.notFound("model '" + name
                    + "' is not in the repository " + folder.root()));
        }
        return onLoader(name, m -> loadNow(m, configOverride));
    }

    @Override
    public CompletableFuture<Void> unload(String name) {
        if (!models.containsKey(name)) {
            return CompletableFuture.failedFuture(ServingException.notFound("unknown model '" + name + "'"));
        }
        return onLoader(name, m -> {
            unloadVersions(m, m.versions(), "unloaded");
            m.absent("unloaded");
        });
    }

    /** Runs {@code op} for the model on a loader thread, one operation of a model at a time. */
    private CompletableFuture<Void> onLoader(String name, java.util.function.Consumer<RepositoryModel> op) {
        if (closed) {
            return CompletableFuture.failedFuture(ServingException.unavailable("the server is shutting down"));
        }
        return CompletableFuture.runAsync(() -> {
            RepositoryModel m = model(name);
            synchronized (m) {
                op.accept(m);
            }
        }, loaders);
    }

    /** Loads the versions the model's policy selects, unloads the others. Throws the first failure. */
    private void loadNow(RepositoryModel m, Map<String, Object> override) {
        ModelFolder f = folder.scan().get(m.name);
        RuntimeConfig.StoreModel stored = settings.storeModels().get(m.name);
        if (f == null && stored != null) {
            loadFromStore(m, stored, override);
            return;
        }
        if (f == null || f.versions().isEmpty()) {
            throw ServingException.notFound("model '" + m.name + "' is not in the repository " + folder.root()
                    + (f == null ? "" : " (its folder holds no model)"));
        }
        RuntimeConfig base;
        try {
            base = configs.of(f.versions().values().iterator().next(), m.name, f.modelConfig(), override);
        } catch (ConfigException e) {
            if (m.versions().isEmpty()) {
                m.absent("configuration error: " + e.getMessage());
            } // else the versions serving keep serving: a bad override must not take them down
            throw ServingException.badInput("model '" + m.name + "': configuration error: " + e.getMessage());
        }
        m.required = base.repository().required();
        List<Long> wanted = base.repository().versionPolicy().select(new ArrayList<>(f.versions().keySet()));
        RuntimeException failure = null;
        for (long number : wanted) {
            Version current = m.version(number);
            if (current != null && current.state() == State.READY && override.isEmpty()) {
                continue;
            }
            try {
                loadVersion(m, number, f.versions().get(number), f.modelConfig(), override, current);
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        boolean replaced = wanted.stream().map(m::version).anyMatch(v -> v != null && v.state() == State.READY);
        // A version that failed to load (a copy still in progress) does not take the working one down.
        List<Version> unwanted = m.versions().stream().filter(v -> !wanted.contains(v.number()))
                .filter(v -> replaced || v.state() != State.READY).toList();
        unloadVersions(m, unwanted, "not selected by the version policy");
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A model the store holds: fetched (or found in the MODEL_DIR cache) with the server's store settings
     * and the entry's MODEL_ID and MODEL_VERSION, served as that version when it is a number, else 1.
     */
    private void loadFromStore(RepositoryModel m, RuntimeConfig.StoreModel stored, Map<String, Object> override) {
        Map<String, Object> settingsOf = new java.util.LinkedHashMap<>(override);
        settingsOf.put("model_id", stored.modelId());
        settingsOf.put("model_version", stored.modelVersion());
        long number = stored.modelVersion().matches("[0-9]{1,18}") ? Long.parseLong(stored.modelVersion()) : 1;
        Version current = m.version(number);
        if (current != null && current.state() == State.READY && override.isEmpty()) {
            return;
        }
        loadVersion(m, number, null, null, settingsOf, current);
    }

    private void loadVersion(RepositoryModel m, long number, Path dir, Path modelConfig, Map<String, Object> override,
                             Version previous) {
        if (previous == null || previous.state() != State.READY) {
            m.put(new Version(number, State.LOADING, "loading", null));
        }
        long t0 = System.nanoTime();
        try {
            RuntimeConfig config = configs.of(dir, m.name, modelConfig, override);
            config.warnings().forEach(w -> log.warn("model '{}': config: {}", m.name, w));
            InferenceService service = budget.enabled() || settings.gpuMemoryBudget() > 0
                    ? startWithinBudget(m, number, dir, config) : start(m, number, config);
            if (closed) { // the server began stopping while this loaded: nobody would close it later
                service.close();
                m.remove(number, "the server is shutting down");
                return;
            }
            m.put(new Version(number, State.READY, null, service));
            log.info("model '{}' version {} ready ({} ms)", m.name, number, (System.nanoTime() - t0) / 1_000_000);
            if (previous != null && previous.service() != null) {
                drainAndClose(m, previous); // a reload: the new core took over first
            }
        } catch (Throwable e) { // an OutOfMemoryError too: the version must not stay LOADING for ever
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            log.error("model '{}' version {} failed to load: {}", m.name, number, reason);
            if (previous == null || previous.state() != State.READY) {
                m.put(new Version(number, State.UNAVAILABLE, "failed to load: " + reason, null));
            }
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            if (e instanceof ServingException refused) {
                throw refused; // the memory budget's answer, as it is (503 full, 400 too large)
            }
            throw ServingException.badInput("model '" + m.name + "' version " + number + " failed to load: " + reason);
        }
    }

    private InferenceService start(RepositoryModel m, long number, RuntimeConfig config) throws Exception {
        ModelSource.Located located = ModelSource.locate(config, new AcquisitionListener() {
        });
        return ModelStartup.start(config, metrics.forModel(m.name, Long.toString(number)), located, m.name,
                Long.toString(number), false); // all at once: the memory budgets charge what a start took
    }

    /**
     * Makes room (or refuses), loads, and charges the version what it took: host memory against
     * MODEL_MEMORY_BUDGET, and for a model headed for a GPU that GPU's memory against GPU_MEMORY_BUDGET.
     */
    private InferenceService startWithinBudget(RepositoryModel m, long number, Path dir, RuntimeConfig config)
            throws Exception {
        long declared = config.repository().modelMemory();
        synchronized (budgetLock) {
            if (budget.enabled()) {
                makeRoom(m, budget.predict(m.name, declared, dir), budget, "memory budget", "MODEL_MEMORY_BUDGET");
            }
            int gpu = expectedGpu(config, dir);
            MemoryBudget gpuPool = gpu >= 0 ? gpuBudget(gpu) : null;
            if (gpuPool != null) {
                makeRoom(m, gpuPool.predict(m.name, 0, dir), gpuPool, "GPU " + gpu + " memory budget",
                        "GPU_MEMORY_BUDGET");
            }
            long before = MemoryBudget.rss();
            long gpuBefore = gpu >= 0 ? GpuMemory.usedBytes(gpu) : -1;
            InferenceService service = start(m, number, config);
            if (budget.enabled()) {
                long charged = budget.charge(m.name, number, declared, MemoryBudget.rss() - before, dir);
                log.info("model '{}' version {} is charged {} MiB against the memory budget ({} of {} MiB used)",
                        m.name, number, charged >> 20, budget.used() >> 20, budget.budget() >> 20);
            }
            int actual = GpuMemory.index(service.info().device());
            if (actual >= 0 && settings.gpuMemoryBudget() > 0) {
                long after = GpuMemory.usedBytes(actual);
                long growth = gpuBefore >= 0 && after >= 0 && actual == gpu ? after - gpuBefore : 0;
                MemoryBudget pool = gpuBudget(actual);
                long charged = pool.charge(m.name, number, 0, growth, dir);
                log.info("model '{}' version {} is charged {} MiB against GPU {}'s budget ({} of {} MiB used)", m.name,
                        number, charged >> 20, actual, pool.used() >> 20, pool.budget() >> 20);
            }
            return service;
        }
    }

    /** Models unloaded to make room, under the host budget and every GPU's. */
    private double evictions() {
        return budget.evictions.sum() + gpuBudgets.values().stream().mapToLong(p -> p.evictions.sum()).sum();
    }

    private MemoryBudget gpuBudget(int index) {
        return gpuBudgets.computeIfAbsent(index, i -> new MemoryBudget(settings.gpuMemoryBudget(), settings.evict()));
    }

    /**
     * The GPU a model's load will use (its device setting, or auto with a GPU visible), or -1: host only, and for a
     * PMML model, which runs on the CPU whatever the device says.
     */
    private int expectedGpu(RuntimeConfig config, Path dir) {
        if (settings.gpuMemoryBudget() <= 0 || holdsPmml(dir)) {
            return -1;
        }
        var device = config.model().device();
        return com.modelfactory.runtime.engine.GpuProbe.shouldTryCuda(device, config.model().engineEnvironment())
                ? device.index() : -1;
    }

    private static boolean holdsPmml(Path dir) {
        if (dir == null) {
            return false;
        }
        try (var files = java.nio.file.Files.walk(dir, 4)) {
            return files.anyMatch(f -> f.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".pmml"));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Unloads least recently used idle models charged to {@code pool} (no request in flight, not required) until
     * {@code need} more bytes fit, or refuses: a model over the whole budget, the refuse policy, or nothing idle to
     * unload.
     */
    private void makeRoom(RepositoryModel loading, long need, MemoryBudget pool, String what, String setting) {
        if (need > pool.budget()) {
            throw ServingException.badInput("model '" + loading.name + "' needs about " + (need >> 20) + " MiB, more "
                    + "than the whole " + what + " of " + (pool.budget() >> 20) + " MiB (" + setting + ")");
        }
        while (pool.used() + need > pool.budget()) {
            RepositoryModel victim = pool.evicts() ? leastRecentlyUsedIdle(loading, pool) : null;
            if (victim == null) {
                throw ServingException.busy("the " + what + " is full (" + setting + "): " + (pool.used() >> 20) + " of "
                        + (pool.budget() >> 20) + " MiB used, model '" + loading.name + "' needs about "
                        + (need >> 20) + " MiB" + (pool.evicts() ? " and no loaded model is idle" : "")
                        + "; unload a model first");
            }
            log.info("{}: unloading '{}' (least recently used, idle) to make room for '{}'", what, victim.name,
                    loading.name);
            pool.evictions.increment();
            List<Version> loaded = victim.versions().stream().filter(v -> v.state() == State.READY).toList();
            unloadVersions(victim, loaded, "unloaded to make room under the " + what);
            if (victim.versions().isEmpty()) {
                victim.absent("unloaded to make room under the " + what);
            }
        }
    }

    private RepositoryModel leastRecentlyUsedIdle(RepositoryModel loading, MemoryBudget pool) {
        RepositoryModel best = null;
        for (RepositoryModel m : models.values()) {
            if (!pool.holds(m.name)) {
                continue; // unloading it frees nothing in this pool
            }
            List<Version> ready = m.versions().stream().filter(v -> v.state() == State.READY).toList();
            boolean idle = !ready.isEmpty() && ready.stream().allMatch(v -> v.service().inFlight() == 0);
            if (m != loading && !m.required && idle && (best == null || m.lastUsed < best.lastUsed)) {
                best = m;
            }
        }
        return best;
    }

    private void unloadVersions(RepositoryModel m, List<Version> versions, String why) {
        for (Version v : versions) {
            if (v.service() == null) {
                m.remove(v.number(), why);
                continue;
            }
            m.put(new Version(v.number(), State.UNLOADING, "unloading", v.service()));
            drainAndClose(m, v);
            budget.release(m.name, v.number());
            gpuBudgets.values().forEach(pool -> pool.release(m.name, v.number()));
            m.remove(v.number(), why);
            metrics.removeVersion(m.name, Long.toString(v.number()));
            log.info("model '{}' version {} unloaded ({})", m.name, v.number(), why);
        }
        if (m.versions().isEmpty()) {
            m.metrics.removeModel();
        }
    }

    /** Requests already admitted are answered (at most the drain timeout), then the engine is released. */
    private boolean drainAndClose(RepositoryModel m, Version v) {
        boolean drained = false;
        try {
            drained = v.service().drain(drainTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!drained) {
            log.warn("model '{}' version {}: requests still running after {} ms are cut off", m.name, v.number(),
                    drainTimeout.toMillis());
        }
        v.service().close();
        return drained;
    }

    /** Poll mode: loads new models and versions, unloads models whose folder is gone. */
    private void poll() {
        try {
            Map<String, ModelFolder> found = folder.scan();
            for (ModelFolder f : found.values()) {
                RepositoryModel m = models.get(f.name());
                if (m == null || changed(m, f)) {
                    load(f.name(), Map.of()).exceptionally(e -> null);
                }
            }
            for (String name : List.copyOf(models.keySet())) {
                RepositoryModel m = models.get(name);
                if (!found.containsKey(name) && !settings.storeModels().containsKey(name) && !m.versions().isEmpty()) {
                    onLoader(name, x -> {
                        unloadVersions(x, x.versions(), "removed from the repository");
                        x.absent("removed from the repository");
                    });
                }
            }
        } catch (RuntimeException e) {
            log.warn("repository poll failed: {}", e.toString());
        }
    }

    /** Whether the versions on disk differ from the versions loaded or tried. */
    private static boolean changed(RepositoryModel m, ModelFolder f) {
        Set<Long> known = new TreeSet<>();
        m.versions().forEach(v -> known.add(v.number()));
        Set<Long> onDisk = new TreeSet<>(f.versions().keySet());
        if (known.isEmpty()) {
            return !onDisk.isEmpty();
        }
        // a new version newer than every known one, or a known one gone
        long newestKnown = known.stream().mapToLong(Long::longValue).max().orElse(0);
        return onDisk.stream().anyMatch(v -> v > newestKnown) || !onDisk.containsAll(known);
    }

    @Override
    public synchronized boolean close(Duration drain) {
        if (closed) {
            return true; // closed once already: every core is closed
        }
        closed = true;
        poller.shutdownNow();
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        for (RepositoryModel m : models.values()) {
            for (Version v : m.versions()) {
                if (v.service() != null && v.state() == State.READY) { // UNLOADING ones: their loader closes them
                    all.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return v.service().drain(drain);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return false;
                        } finally {
                            v.service().close();
                        }
                    }));
                }
            }
        }
        boolean drained = true;
        for (CompletableFuture<Boolean> f : all) {
            try {
                drained &= f.join();
            } catch (CompletionException e) {
                drained = false;
            }
        }
        loaders.shutdownNow();
        return drained;
    }
}
