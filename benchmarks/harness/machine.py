"""The machine under the benchmark: is it quiet, who else used the CPU during a point, and how much memory a
process tree holds (RSS, and for a JVM the native memory tracking breakdown).

Why not the load average alone: a 2-core box running a saturated server and its load generator shows a
1-minute load of 2-4 from the benchmark itself. The harness therefore also counts, per point, the CPU time
of every process that is not part of the benchmark (/proc/stat minus the benchmark's process trees): that
is the interference a reader needs to know about, and the rule that refuses a result file uses both.
"""
import glob
import os
import re
import statistics
import subprocess
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def loadavg_line():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def busy_jiffies():
    """Non-idle CPU time of the whole machine, in clock ticks (user+nice+system+irq+softirq+steal)."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    v = [int(x) for x in fields]
    # user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user already)
    return v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)


def children_map():
    children = {}
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            with open(status) as f:
                text = f.read()
        except OSError:
            continue
        m = re.search(r"^PPid:\s+(\d+)", text, re.M)
        if m:
            children.setdefault(int(m.group(1)), []).append(int(status.split("/")[2]))
    return children


def tree_pids(pid, children=None):
    """pid and all its descendants, from /proc."""
    children = children if children is not None else children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def proc_cpu_jiffies(pid):
    """utime+stime of a process and of its reaped children (cutime+cstime), in clock ticks."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return 0
    fields = text[text.rindex(")") + 2:].split()
    # after the comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    return int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])


def proc_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def foreign_builds(own_roots):
    """Command lines of Maven/surefire JVMs that are not ours (someone else building or testing)."""
    p = subprocess.run(["pgrep", "-af", "surefire|maven|plexus-classworlds"], capture_output=True, text=True)
    ours = set()
    children = children_map()
    for root in own_roots:
        ours.update(tree_pids(root, children))
    out = []
    for line in p.stdout.splitlines():
        pid, _, cmd = line.partition(" ")
        if pid.isdigit() and int(pid) not in ours and int(pid) != os.getpid():
            out.append(cmd[:160])
    return out


def runnable_threads(pids):
    """Threads in state R (running or waiting for a CPU) among these processes."""
    n = 0
    for pid in pids:
        for stat in glob.glob(f"/proc/{pid}/task/*/stat"):
            try:
                with open(stat) as f:
                    text = f.read()
            except OSError:
                continue
            if text[text.rindex(")") + 2] == "R":
                n += 1
    return n


def foreign_runnable_threads(own):
    """Threads in state R outside the benchmark's processes and outside the kernel's own threads, counted
    one by one. (The machine's run-queue total less the benchmark's threads, read a moment apart, came out
    at 4.8-5.6 against wrk at 130,000 req/s on a stub: the server's and wrk's threads change state faster
    than they can be read, and the kernel's softirq threads run the loopback traffic of the benchmark.)"""
    n = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in own:
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if entry == "2" or fields[1] == "2":  # kthreadd and its children: kernel threads
            continue
        n += runnable_threads([int(entry)])
    return n


class RunQueueSampler(threading.Thread):
    """Samples, twice a second, how many runnable threads are not the benchmark's: the part of the load
    average that is someone else's, measured during the point instead of averaged over the last minute."""

    def __init__(self, own_pids):
        super().__init__(daemon=True)
        self.own_pids = own_pids
        self.samples = []
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.wait(0.5):
            self.samples.append(foreign_runnable_threads(self.own_pids()))

    def mean(self):
        self.stop_event.set()
        return statistics.fmean(self.samples) if self.samples else 0.0


class CpuAccount:
    """CPU used during one point: by the benchmark's own process trees, and by everything else."""

    def __init__(self, own_roots):
        self.own_roots = [r for r in own_roots if r]

    def _own_pids(self):
        children = children_map()
        pids = set(tree_pids(os.getpid(), children))  # the harness, its servers and its load tools
        for r in self.own_roots:
            pids.update(tree_pids(r, children))
        return pids

    def _own(self):
        return {p: proc_cpu_jiffies(p) for p in self._own_pids()}

    def __enter__(self):
        self.t0 = time.monotonic()
        self.busy0 = busy_jiffies()
        self.own0 = self._own()
        self.load0 = loadavg()
        self.runq = RunQueueSampler(self._own_pids)
        self.runq.start()
        return self

    def finish(self):
        elapsed = max(1e-3, time.monotonic() - self.t0)
        foreign_runnable = self.runq.mean()
        busy = busy_jiffies() - self.busy0
        own1 = self._own()
        own = sum(max(0, own1.get(p, 0) - self.own0.get(p, 0)) for p in own1)
        own_cores = own / CLK_TCK / elapsed
        foreign_cores = max(0.0, (busy - own) / CLK_TCK / elapsed)
        return dict(loadavg_before=self.load0, loadavg_after=loadavg(), own_cpu_cores=round(own_cores, 3),
                    foreign_cpu_cores=round(foreign_cores, 3), foreign_load=round(foreign_runnable, 2))

    def __exit__(self, *exc):
        self.runq.stop_event.set()
        return False


def busy_reason(point, max_foreign_cpu, cores=CORES):
    """Why a point was measured on a busy machine, or None. The issue's rule is load above the core count;
    it is applied to the load that is not the benchmark's own (runnable threads outside its processes,
    sampled during the point: the 1-minute average lags by a minute and counts the benchmark itself), and
    CPU used by anyone else beyond max_foreign_cpu cores refuses the point too (on 2 cores, a third of a
    core of someone else's work moves every number)."""
    if point.get("foreign_load", 0) > cores:
        return f"{point['foreign_load']:.2f} runnable threads outside the benchmark, above {cores} cores"
    if point.get("foreign_cpu_cores", 0) > max_foreign_cpu:
        return f"other processes used {point['foreign_cpu_cores']:.2f} cores (limit {max_foreign_cpu})"
    if point.get("foreign_builds"):
        return "another build/test JVM was running: " + point["foreign_builds"][0]
    return None


def wait_until_quiet(max_load, max_wait_s, own_roots, log):
    """Waits (up to max_wait_s) for the 1-minute load to fall below max_load with no foreign build running.
    @return None when quiet, else why not"""
    deadline = time.monotonic() + max_wait_s
    while True:
        load = loadavg()
        builds = foreign_builds(own_roots)
        if load < max_load and not builds:
            return None
        why = f"1-minute load {load:.2f} (want < {max_load})" + (f"; build running: {builds[0]}" if builds else "")
        if time.monotonic() >= deadline:
            return why
        log(f"machine busy ({why}); waiting")
        time.sleep(min(30, max(1, deadline - time.monotonic())))


class MemorySampler(threading.Thread):
    """Samples the summed VmRSS of a process tree (gunicorn master + workers, or the JVM) every 100 ms, with
    the peak kept per phase (set by the harness: 'start', 'predict', 'other routes')."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss_kb = 0
        self.peak_hwm_kb = 0
        self.phase = "start"
        self.phase_peaks = {}
        self.last_rss_kb = 0
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(0.1)

    def sample(self):
        pids = tree_pids(self.pid)
        rss = sum(proc_kb(p, "VmRSS") for p in pids)
        hwm = sum(proc_kb(p, "VmHWM") for p in pids)
        if rss == 0:
            return
        self.last_rss_kb = rss
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.peak_hwm_kb = max(self.peak_hwm_kb, hwm)
        self.phase_peaks[self.phase] = max(self.phase_peaks.get(self.phase, 0), rss)

    def stop(self):
        self.stop_event.set()


def smaps_rollup(pid):
    """RSS split into anonymous and file-backed memory (libraries' code is file-backed), in MiB."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                k, _, rest = line.partition(":")
                if k in ("Rss", "Anonymous", "Pss_File", "Pss_Anon", "Shared_Clean", "Private_Clean"):
                    out[k] = round(int(rest.split()[0]) / 1024, 1)
    except OSError:
        pass
    return out


def threads_of(pid):
    """Thread names of a process grouped by kind (the number after a name is dropped), with counts."""
    kinds = {}
    for comm in glob.glob(f"/proc/{pid}/task/*/comm"):
        try:
            with open(comm) as f:
                name = f.read().strip()
        except OSError:
            continue
        kind = re.sub(r"[-#]?\d+$", "", name) or name
        kinds[kind] = kinds.get(kind, 0) + 1
    return dict(sorted(kinds.items(), key=lambda kv: -kv[1]))


def thread_cpu(pid):
    """CPU ticks per thread name of a process (for per-thread CPU while serving)."""
    out = {}
    for stat in glob.glob(f"/proc/{pid}/task/*/stat"):
        try:
            with open(stat) as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        kind = re.sub(r"[-#]?\d+$", "", name) or name
        out[kind] = out.get(kind, 0) + int(fields[11]) + int(fields[12])
    return out


NMT_LINE = re.compile(r"^-\s+(.+?) \(reserved=(\d+)KB, committed=(\d+)KB\)", re.M)


def nmt_summary(pid, jcmd="jcmd"):
    """The JVM's native memory tracking summary (needs -XX:NativeMemoryTracking=summary): committed MiB per
    category (Java Heap, Class, Thread, Code, GC, Other = direct buffers, ...)."""
    p = subprocess.run([jcmd, str(pid), "VM.native_memory", "summary"], capture_output=True, text=True, timeout=60)
    out = {}
    for m in NMT_LINE.finditer(p.stdout):
        out[m.group(1).strip()] = round(int(m.group(3)) / 1024, 1)
    total = re.search(r"Total: reserved=\d+KB, committed=(\d+)KB", p.stdout)
    if total:
        out["Total"] = round(int(total.group(1)) / 1024, 1)
    return out
