#!/usr/bin/env python3
"""Ferry beside rclone on the same dataset and the same S3Proxy, in one run: the performance harness.

    e2e/bench/bench.py                                    small, mixed and large, 2 repetitions
    e2e/bench/bench.py --profiles small --reps 1          a quick look
    e2e/bench/bench.py --tools rclone:t16nh,rclone:default,ferry:default --profiles mixed
    e2e/bench/bench.py --profiles small --again           also a second run over the filled bucket (a Sync)
    e2e/bench/bench.py --baseline /tmp/base --tools baseline:default,ferry:default --profiles small
                                                          this build against another checkout's (an earlier commit)

Stands on its own in a fresh clone (Python 3 stdlib, Java 17, Maven; rclone is installed with apt when
missing). Everything it writes lives under --root (default /tmp/ferry-bench), never in the repository.

What it does, per profile: generates the dataset once (random, incompressible; seeded sizes), starts
S3Proxy (the one in Ferry's jar, filesystem blobstore, as ../shared/bench runs it), warms the server's
JIT up (not measured), then for each repetition runs every tool into a fresh bucket, the order rotated
every repetition so no tool always goes first. Before each run: sync and, as root, drop the page cache.
During each run a sampler reads /proc every 0.25 s: CPU of every process of the tool (by role: Ferry's
CLI process, which holds the local API and the operator, and its worker processes; rclone), worker peak
RSS, S3Proxy's CPU and bytes received, and the inodes used in the blobstore (objects stored so far).
After each run the bucket is verified twice: its files are compared with the source by path, size and
MD5 (this harness's own listing of the blobstore), and `rclone check` compares sizes and MD5s through
S3. Then the bucket is deleted.

The table (also written as results.md) gives per profile and tool the medians of: wall time, the paired
ratio wall / wall(best rclone of the same repetition), client CPU-s (all the tool's processes, from
wait4: exact) and its ratio to the best rclone's, S3Proxy CPU-s, files/s and MB/s in the middle half of
the run, the time from start to the first object stored, control-plane CPU-s per task (Ferry), the
worker's peak RSS, and the verification. Raw rows: results.jsonl.

FERRY_BENCH_S3PROXY_JAVA_OPTS and FERRY_BENCH_CLI_JAVA_OPTS add JVM options to S3Proxy and to Ferry's CLI process
(FERRY_WORKER_JAVA_OPTS, read by Ferry itself, to its workers): a profiler, for instance.
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
JAR = os.path.join(REPO, "cli", "target", "ferry.jar")
# Ferry runs as users run it: through the launcher, which adds the CLI's class data archive (AppCDS).
LAUNCHER = os.path.join(REPO, "ferry")
# --baseline: the launcher of another checkout (an earlier commit), run as the tool "baseline"
BASELINE = None
# The CLI process's JVM options (the launcher's FERRY_JAVA_OPTS): C1 only, as the launcher's default.
FERRY_CLI_JAVA_OPTS = "-Xmx1g -XX:+UseParallelGC -XX:TieredStopAtLevel=1"
TCK = os.sysconf("SC_CLK_TCK")
KEY, SECRET = "benchkey", "benchsecret"  # the local test server's identity, not a secret

PROFILES = {  # the datasets of ../shared/bench/make-dataset.py, same layout and seed
    "small": "50000x1K-16K",
    "mixed": "1x1G,50x20M,20000x4K-64K",
    "large": "4x1G",
}
# The settings are rclone's documented knobs; t16nh was the fastest on this machine for every profile.
RCLONE_SETTINGS = {
    "default": ["--transfers", "4", "--checkers", "8"],
    "t16": ["--transfers", "16", "--checkers", "16", "--s3-upload-concurrency", "4", "--s3-chunk-size", "16M"],
    "t16nh": ["--transfers", "16", "--checkers", "16", "--s3-upload-concurrency", "4", "--s3-chunk-size", "16M",
              "--s3-no-head"],
    "t32nh": ["--transfers", "32", "--checkers", "32", "--s3-upload-concurrency", "8", "--s3-chunk-size", "16M",
              "--s3-no-head"],
}
# Ferry as a user runs it on one machine: `ferry migrate` (local API, operator, worker processes).
FERRY_SETTINGS = {
    "default": [],
    "w1": ["--workers", "1"],
    "w2": ["--workers", "2"],
    "noaudit": ["--audit", "None"],
    "noposix": ["--posix-attributes", "Skip"],
}
# Settings that are the worker processes' environment rather than arguments: the worker's JIT. By default a
# local worker's C2 compiles only the digests (ProcessLauncher.environmentFor, OptimisingCompilerScope);
# c1: C1 only (slower MD5); c2: FERRY_WORKER_C2=all, C2 for every hot method (the JVM's default, a cluster worker's).
FERRY_WORKER_ENV = {
    "c1": {"FERRY_WORKER_JAVA_OPTS": "-XX:TieredStopAtLevel=1"},
    "c2": {"FERRY_WORKER_C2": "all"},
}


def log(msg):
    print(time.strftime("[%H:%M:%S] ") + msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------ datasets
def parse_size(s):
    units = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}
    s = s.strip().upper()
    return int(float(s[:-1]) * units[s[-1]]) if s[-1] in units else int(s)


def make_dataset(root, profile, seed=42, fanout=10):
    """Writes <root>/<profile> once; returns (files, bytes). Big files in big/, small ones in t/aNN/bNN/cNN/."""
    dest, manifest = os.path.join(root, profile), os.path.join(root, profile + ".manifest")
    # the manifest is written last: with it and the tree, the dataset is whole (a tree deleted to save
    # space, its manifest left behind, is written again rather than migrated as a missing directory)
    if os.path.exists(manifest) and os.path.isdir(dest):
        m = json.load(open(manifest))
        return m["files"], m["bytes"]
    shutil.rmtree(dest, ignore_errors=True)
    rnd, files, total, started = random.Random(seed), 0, 0, time.time()
    for group, part in enumerate(PROFILES[profile].split(",")):
        count, sizes = part.split("x", 1)
        lo, _, hi = sizes.partition("-")
        lo, hi = parse_size(lo), parse_size(hi or lo)
        for i in range(int(count)):
            size = lo if lo == hi else rnd.randint(lo, hi)
            if lo >= 1024 * 1024:
                d, name = os.path.join(dest, "big"), f"g{group}_{i:05d}.bin"
            else:
                leaf = i % fanout ** 3
                d = os.path.join(dest, "t", f"a{leaf // fanout ** 2:02d}", f"b{leaf // fanout % fanout:02d}",
                                 f"c{leaf % fanout:02d}")
                name = f"g{group}_{i:06d}.bin"
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, name), "wb", buffering=0) as f:
                left = size
                while left > 0:
                    n = min(left, 4 << 20)
                    f.write(os.urandom(n))
                    left -= n
            files, total = files + 1, total + size
    os.sync()
    json.dump({"profile": profile, "spec": PROFILES[profile], "files": files, "bytes": total}, open(manifest, "w"))
    log(f"dataset {profile}: {files} files, {total / 2 ** 20:.0f} MiB in {time.time() - started:.0f} s")
    return files, total


def tree_digest(top):
    """relative path -> (size, md5) of every file under top."""
    out = {}
    for d, _, names in os.walk(top):
        for n in names:
            p = os.path.join(d, n)
            h = hashlib.md5()
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            out[os.path.relpath(p, top)] = (os.path.getsize(p), h.hexdigest())
    return out


# ------------------------------------------------------------------------------------------ S3Proxy
class S3Proxy:
    """S3Proxy from Ferry's jar (the version the tests use) on a free loopback port."""

    def __init__(self, root):
        self.data = os.path.join(root, "s3data")
        os.makedirs(self.data, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        props, logback = os.path.join(root, "s3proxy.properties"), os.path.join(root, "s3proxy-logback.xml")
        with open(props, "w") as f:
            f.write(f"s3proxy.endpoint={self.endpoint}\ns3proxy.authorization=aws-v2-or-v4\n"
                    f"s3proxy.identity={KEY}\ns3proxy.credential={SECRET}\ns3proxy.jetty.max-threads=64\n"
                    f"jclouds.provider=filesystem\njclouds.filesystem.basedir={self.data}\n"
                    f"jclouds.identity={KEY}\njclouds.credential={SECRET}\n")
        with open(logback, "w") as f:  # per-request logging would cost the server CPU
            f.write('<configuration><appender name="f" class="ch.qos.logback.core.FileAppender">'
                    f'<file>{root}/s3proxy.log</file><encoder><pattern>%d %-5level %logger - %msg%n</pattern>'
                    '</encoder></appender><root level="WARN"><appender-ref ref="f"/></root></configuration>')
        self.process = subprocess.Popen(
            ["java", "-Xms2g", "-Xmx2g", "-XX:+UseParallelGC", f"-Dlogback.configurationFile={logback}"]
            + os.environ.get("FERRY_BENCH_S3PROXY_JAVA_OPTS", "").split()
            + ["-cp", JAR, "org.gaul.s3proxy.Main", "--properties", props],
            stdout=open(os.path.join(root, "s3proxy.out"), "w"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        for _ in range(240):
            try:
                urllib.request.urlopen(self.endpoint, timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answers (403 without credentials)
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"S3Proxy exited; see {root}/s3proxy.out")
                time.sleep(0.25)
        log(f"S3Proxy pid {self.process.pid} at {self.endpoint}, blobstore {self.data}")

    def open_files(self):
        """(descriptors S3Proxy holds, its limit) or None."""
        try:
            held = len(os.listdir(f"/proc/{self.process.pid}/fd"))
            for line in open(f"/proc/{self.process.pid}/limits"):
                if line.startswith("Max open files"):
                    return held, int(line.split()[3])
        except (OSError, ValueError, IndexError):
            pass
        return None

    def collect_if_leaking(self):
        """S3Proxy's filesystem blobstore leaves a file open after a HEAD until the collector finalizes its stream,
        and with a 2 GiB heap that can take longer than tens of thousands of HEADs (a run over a filled bucket):
        S3Proxy then fails with 'Too many open files' and the tool stalls. Past half its limit, ask for a GC
        while it can still be asked (jcmd cannot attach to a JVM without descriptors to spare)."""
        held = self.open_files()
        if held is None or held[0] < held[1] // 2:
            return
        try:
            gc = subprocess.run(["jcmd", str(self.process.pid), "GC.run"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=30).returncode
        except (OSError, subprocess.TimeoutExpired) as e:
            gc = e
        if gc != 0:
            log(f"S3Proxy holds {held[0]} of {held[1]} file descriptors and jcmd GC.run failed ({gc})")
            return
        after = self.open_files()
        log(f"S3Proxy held {held[0]} of {held[1]} file descriptors; after a GC: {after[0] if after else '?'}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ------------------------------------------------------------------------------------------ sampling
def read_stat(pid):
    """(ppid, utime+stime ticks of the process itself) or None."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[1]), int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def role_of(pid):
    try:
        args = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace").split("\0")
    except OSError:
        return None
    if any(a.endswith("WorkerMain") for a in args):
        return "worker"
    if any(a.endswith("OperatorMain") for a in args):
        return "operator"
    if "-jar" in args and any(a.endswith("ferry.jar") for a in args):
        return "cli"
    if args and args[0].endswith("rclone"):
        return "rclone"
    return "other"


def peak_rss_mib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def proc_io(pid):
    out = {}
    try:
        for line in open(f"/proc/{pid}/io"):
            k, v = line.split(":")
            out[k] = int(v)
    except OSError:
        pass
    return out


class Sampler(threading.Thread):
    """Every 0.25 s: the tool's processes (descendants of root) by pid, S3Proxy's CPU and bytes read,
    the blobstore's used inodes; every 2 s, S3Proxy's open files (see S3Proxy.collect_if_leaking)."""

    def __init__(self, root_pid, server, bucket_dir):
        super().__init__(daemon=True)
        self.root_pid, self.server, self.server_pid, self.blobstore = root_pid, server, server.process.pid, server.data
        self.bucket_dir, self.bucket_mtime = bucket_dir, os.stat(bucket_dir).st_mtime_ns
        self.first_object = None  # seconds from the start to the first change of the bucket's directory
        self.procs = {}  # pid -> [role, cpu ticks, peak rss MiB]
        self.series = []  # (t, inodes used, server rchar, server cpu ticks)
        self.stop_event = threading.Event()
        self.started = time.time()

    def sample(self):
        parents = {}
        for p in os.listdir("/proc"):
            if p.isdigit():
                st = read_stat(int(p))
                if st:
                    parents[int(p)] = st
        family = {self.root_pid}
        changed = True
        while changed:
            changed = False
            for pid, (ppid, _) in parents.items():
                if ppid in family and pid not in family:
                    family.add(pid)
                    changed = True
        for pid in family:
            if pid not in parents:
                continue
            entry = self.procs.get(pid)
            if entry is None:
                entry = self.procs[pid] = [role_of(pid), 0, 0.0]
            elif entry[0] == "other":  # first seen between fork and exec: still the parent's command line
                entry[0] = role_of(pid) or "other"
            entry[1] = parents[pid][1]
            if entry[0] in ("worker", "cli", "operator", "rclone"):
                entry[2] = max(entry[2], peak_rss_mib(pid))
        if self.first_object is None and os.stat(self.bucket_dir).st_mtime_ns != self.bucket_mtime:
            self.first_object = time.time() - self.started
        vfs = os.statvfs(self.blobstore)
        server = parents.get(self.server_pid, (0, 0))[1]
        self.series.append((time.time() - self.started, vfs.f_files - vfs.f_ffree,
                            proc_io(self.server_pid).get("rchar", 0), server))

    def run(self):
        n = 0
        while not self.stop_event.is_set():
            self.sample()
            n += 1
            if n % 8 == 0:
                self.server.collect_if_leaking()
            self.stop_event.wait(0.25)

    def finish(self):
        self.stop_event.set()
        self.join()

    def at(self, t, column):
        """A series column interpolated at time t."""
        s = self.series
        for (t0, *a), (t1, *b) in zip(s, s[1:]):
            if t0 <= t <= t1:
                f = (t - t0) / (t1 - t0) if t1 > t0 else 0
                return a[column] + f * (b[column] - a[column])
        return s[-1][1 + column] if s and t > s[-1][0] else (s[0][1 + column] if s else 0)


# ------------------------------------------------------------------------------------------ runs
def drop_caches():
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3")
        return "cold"
    except OSError:
        return "warm"


def command(tool, setting, src, bucket, server, work):
    if tool == "rclone":
        return ["rclone", "copy", src, f"s3p:{bucket}", "--stats", "0", "--log-level", "ERROR"] \
            + RCLONE_SETTINGS[setting]
    if tool in FERRY_TOOLS:
        return [LAUNCHER if tool == "ferry" else BASELINE, "migrate", src,
                f"s3://{bucket}/", "--endpoint", server.endpoint, "--work-dir", work, "--json"] \
            + FERRY_SETTINGS.get(setting, [])
    raise SystemExit(f"unknown tool {tool}")


FERRY_TOOLS = ("ferry", "baseline")


def ferry_env(env, setting):
    # the jar was checked (and built if stale) before the first run: an edit during the benchmark rebuilds nothing
    cli_options = (FERRY_CLI_JAVA_OPTS + " " + os.environ.get("FERRY_BENCH_CLI_JAVA_OPTS", "")).strip()
    return dict(env, FERRY_JAVA_OPTS=cli_options, FERRY_BUILD="never", **FERRY_WORKER_ENV.get(setting, {}))


def measure(args, env, server, profile, rep, tool, setting, files, total):
    """One run of the tool into a fresh bucket; with --again, a second run over the bucket it filled (every object
    already there: what a Sync, or a copy run again to catch up, costs), reported as the profile "PROFILE again"."""
    src = os.path.join(args.root, "data", profile)
    bucket = f"b-{profile}-{tool}-{setting}-r{rep}-{int(time.time() * 1000) % 10 ** 7}".lower()
    subprocess.run(["rclone", "mkdir", f"s3p:{bucket}"], env=env, check=True)
    rows = [timed_run(args, env, server, profile, rep, tool, setting, files, total, src, bucket)]
    if args.again:
        rows.append(timed_run(args, env, server, profile + " again", rep, tool, setting, files, total, src, bucket))
    shutil.rmtree(os.path.join(server.data, bucket), ignore_errors=True)
    return rows


def timed_run(args, env, server, profile, rep, tool, setting, files, total, src, bucket):
    # Not on the blobstore's filesystem: the sampler counts that filesystem's inodes as objects stored.
    work = os.path.join("/dev/shm" if os.path.isdir("/dev/shm") else args.root, "ferry-bench-work")
    shutil.rmtree(work, ignore_errors=True)
    logfile = os.path.join(args.root, "logs", f"{profile.replace(' ', '-')}.{tool}.{setting}.r{rep}.log")
    cache = drop_caches()
    server.collect_if_leaking()
    server_before = read_stat(server.process.pid)[1]
    started = time.time()
    with open(logfile, "w") as out:
        run_env = ferry_env(env, setting) if tool in FERRY_TOOLS else env
        process = subprocess.Popen(command(tool, setting, src, bucket, server, work), env=run_env, stdout=out,
                                   stderr=subprocess.STDOUT)
        sampler = Sampler(process.pid, server, os.path.join(server.data, bucket))
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.time() - started
        sampler.finish()
    process.returncode = os.waitstatus_to_exitcode(status)
    server_cpu = (read_stat(server.process.pid)[1] - server_before) / TCK
    client_cpu = usage.ru_utime + usage.ru_stime
    by_role = {}
    for role, ticks, _ in sampler.procs.values():
        by_role[role] = by_role.get(role, 0) + ticks / TCK
    peak = {}
    for role, _, rss in sampler.procs.values():
        peak[role] = max(peak.get(role, 0), rss)
    first = sampler.first_object
    q1, q3 = 0.25 * wall, 0.75 * wall
    # Files/s is read from the blobstore's used inodes: with a handful of files the store's multipart part
    # files (created, then removed at completion) outweigh the objects, and the rate means nothing.
    steady_files = (sampler.at(q3, 0) - sampler.at(q1, 0)) / (q3 - q1) \
        if wall > 0 and files >= 100 and not profile.endswith(" again") else None
    steady_mb = (sampler.at(q3, 1) - sampler.at(q1, 1)) / (q3 - q1) / 1e6 if wall > 0 else 0
    summary = {}
    if tool in FERRY_TOOLS:
        for line in reversed(open(logfile).read().splitlines()):
            if line.startswith("{"):
                summary = json.loads(line)
                break
    verify, check = verify_bucket(args, env, server, src, bucket)
    row = {
        "profile": profile, "rep": rep, "tool": f"{tool}:{setting}", "files": files, "bytes": total, "cache": cache,
        "exit": process.returncode, "wall": round(wall, 2), "client_cpu": round(client_cpu, 2),
        "server_cpu": round(server_cpu, 2), "cpu_by_role": {k: round(v, 2) for k, v in by_role.items()},
        "peak_rss_mib": {k: round(v) for k, v in peak.items()}, "first_object_s": first and round(first, 2),
        "steady_files_s": None if steady_files is None else round(steady_files), "steady_mb_s": round(steady_mb, 1),
        "tasks": summary.get("tasks"), "verify": verify, "rclone_check": check,
    }
    with open(os.path.join(args.root, "results.jsonl"), "a") as f:
        f.write(json.dumps(row) + "\n")
    log(f"{profile} r{rep} {tool}:{setting}: {wall:.1f} s, client {client_cpu:.1f} CPU-s {row['cpu_by_role']},"
        f" S3Proxy {server_cpu:.1f} CPU-s, verify {verify}, rclone check {check}")
    return row


def verify_bucket(args, env, server, src, bucket):
    """The bucket against the source: this harness's own comparison of paths, sizes and MD5s (the blobstore
    holds each object as a file), then `rclone check` through S3 (sizes, and MD5s where the ETag is one)."""
    want, have = tree_digest(src), tree_digest(os.path.join(server.data, bucket))
    missing = [p for p in want if p not in have]
    extra = [p for p in have if p not in want]
    different = [p for p in want if p in have and have[p] != want[p]]
    own = "ok" if not (missing or extra or different) else \
        f"DIFF missing={len(missing)} extra={len(extra)} different={len(different)} e.g. {(missing + extra + different)[:3]}"
    check = subprocess.run(["rclone", "check", src, f"s3p:{bucket}", "--checkers", "16"], env=env,
                           capture_output=True, text=True)
    matching = re.search(r"(\d+) matching files", check.stderr + check.stdout)
    matching = matching.group(1) if matching else "?"
    return own, ("ok" if check.returncode == 0 else "DIFF") + f" ({matching} matching)"


# ------------------------------------------------------------------------------------------ table
def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec=".1f"):
    return "-" if x is None else format(x, spec)


def table(rows):
    lines = []
    for profile in dict.fromkeys(r["profile"] for r in rows):
        rs = [r for r in rows if r["profile"] == profile]
        tools = list(dict.fromkeys(r["tool"] for r in rs))
        rclones = [t for t in tools if t.startswith("rclone:")]
        best = min(rclones, key=lambda t: median([r["wall"] for r in rs if r["tool"] == t])) if rclones else None
        ref = {r["rep"]: r for r in rs if r["tool"] == best}
        f0 = rs[0]
        lines += [f"\n### {profile}: {f0['files']:,} files, {f0['bytes'] / 2 ** 20:,.0f} MiB "
                  f"(page cache: {','.join(sorted({r['cache'] for r in rs}))}; reference: {best})\n",
                  "| tool | n | wall s | wall / rclone | client CPU-s | CPU / rclone | CPU-s: control plane / workers |"
                  " S3Proxy CPU-s | files/s (steady) | MB/s (steady) | first object s | control-plane CPU ms/task |"
                  " worker peak RSS MiB | verify |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for tool in tools:
            g = [r for r in rs if r["tool"] == tool]
            paired = [r for r in g if r["rep"] in ref]
            wall_ratio = median([r["wall"] / ref[r["rep"]]["wall"] for r in paired])
            cpu_ratio = median([r["client_cpu"] / ref[r["rep"]]["client_cpu"] for r in paired])
            control = median([r["cpu_by_role"].get("cli", 0) + r["cpu_by_role"].get("operator", 0) for r in g])
            workers = median([r["client_cpu"] - r["cpu_by_role"].get("cli", 0) - r["cpu_by_role"].get("operator", 0)
                              for r in g])
            per_task = median([1000 * (r["cpu_by_role"].get("cli", 0) + r["cpu_by_role"].get("operator", 0)) / r["tasks"]
                               for r in g if r.get("tasks")])
            rss = median([r["peak_rss_mib"].get("worker", r["peak_rss_mib"].get("rclone")) for r in g])
            bad = [r for r in g if r["exit"] != 0 or r["verify"] != "ok" or not r["rclone_check"].startswith("ok")]
            verdict = "ok" if not bad else f"**FAILED {len(bad)}/{len(g)}**"
            split = f"{fmt(control)} / {fmt(workers)}" if tool.startswith(FERRY_TOOLS) else "-"
            lines.append(f"| {tool} | {len(g)} | {fmt(median([r['wall'] for r in g]))} | {fmt(wall_ratio, '.2f')} |"
                         f" {fmt(median([r['client_cpu'] for r in g]))} | {fmt(cpu_ratio, '.2f')} | {split} |"
                         f" {fmt(median([r['server_cpu'] for r in g]))} | {fmt(median([r['steady_files_s'] for r in g]), '.0f')} |"
                         f" {fmt(median([r['steady_mb_s'] for r in g]))} | {fmt(median([r['first_object_s'] for r in g]))} |"
                         f" {fmt(per_task, '.0f')} | {fmt(rss, '.0f')} | {verdict} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ main
def ensure_tools(launchers):
    if shutil.which("rclone") is None:
        log("rclone not found: installing the Debian package")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "rclone"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    # The launcher builds the jar when it is missing or older than the sources: here, never in a measured run.
    for launcher in launchers:
        subprocess.run([launcher, "--version"], cwd=os.path.dirname(launcher), check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profiles", default="small,mixed,large")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--tools", default="rclone:t16nh,ferry:default")
    ap.add_argument("--root", default="/tmp/ferry-bench")
    ap.add_argument("--dataset", action="append", default=[], metavar="NAME=SPEC",
                    help="another profile, e.g. bigmixed=1x1G,50x20M (COUNTxSIZE or COUNTxMIN-MAX, K/M/G)")
    ap.add_argument("--table", metavar="RESULTS_JSONL", help="only print the table of earlier results")
    ap.add_argument("--again", action="store_true",
                    help="run every tool a second time over the bucket it filled (nothing left to copy), reported"
                         " as its own profile")
    ap.add_argument("--baseline", metavar="CHECKOUT",
                    help="another checkout of Ferry (say, `git worktree add /tmp/base HEAD~3`), run as the tool "
                         "baseline:SETTING with Ferry's settings: two builds side by side in one run")
    args = ap.parse_args()
    if args.table:
        print(table([json.loads(line) for line in open(args.table)]))
        return
    for extra in args.dataset:
        name, _, spec = extra.partition("=")
        PROFILES[name] = spec
    if os.path.realpath(args.root).startswith(REPO + os.sep):
        sys.exit("--root must be outside the repository")
    global BASELINE
    if args.baseline:
        BASELINE = os.path.join(os.path.realpath(args.baseline), "ferry")
        if not os.access(BASELINE, os.X_OK):
            sys.exit(f"--baseline {args.baseline}: no ferry launcher there")
    ensure_tools([LAUNCHER] + ([BASELINE] if BASELINE else []))
    os.makedirs(os.path.join(args.root, "logs"), exist_ok=True)
    open(os.path.join(args.root, "results.jsonl"), "w").close()
    server = S3Proxy(args.root)
    rclone_conf = os.path.join(args.root, "rclone.conf")
    with open(rclone_conf, "w") as f:
        f.write(f"[s3p]\ntype = s3\nprovider = Other\naccess_key_id = {KEY}\nsecret_access_key = {SECRET}\n"
                f"endpoint = {server.endpoint}\nregion = us-east-1\nforce_path_style = true\n")
    env = dict(os.environ, RCLONE_CONFIG=rclone_conf, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_REGION="us-east-1")
    env.pop("AWS_CA_BUNDLE", None)  # rclone refuses plain-http endpoints when it is set
    try:
        tools = [t.split(":", 1) for t in args.tools.split(",")]
        known = {"rclone": set(RCLONE_SETTINGS), "ferry": set(FERRY_SETTINGS) | set(FERRY_WORKER_ENV)}
        if BASELINE:
            known["baseline"] = known["ferry"]
        for tool, setting in tools:
            if setting not in known.get(tool, ()):
                sys.exit(f"unknown tool or setting {tool}:{setting}; known: "
                         + ", ".join(f"{t}:{s}" for t in known for s in sorted(known[t])))
        warm_up(args, env, server, tools)
        rows = []
        for profile in args.profiles.split(","):
            files, total = make_dataset(os.path.join(args.root, "data"), profile)
            for rep in range(1, args.reps + 1):
                for i in range(len(tools)):
                    tool, setting = tools[(i + rep - 1) % len(tools)]
                    rows.extend(measure(args, env, server, profile, rep, tool, setting, files, total))
        text = table(rows)
        open(os.path.join(args.root, "results.md"), "w").write(text)
        print(text)
        if any(r["exit"] != 0 or r["verify"] != "ok" or not r["rclone_check"].startswith("ok") for r in rows):
            sys.exit(1)
    finally:
        server.stop()


def warm_up(args, env, server, tools):
    """S3Proxy's first few thousand requests are slow (its JIT); whichever tool ran first would pay. Ferry's
    first run of a jar writes the class data archives of its CLI and workers (~/.cache/ferry/cds, a second or two
    at each process's exit), as installing a tool would: one Ferry run of 100 files, not measured, does it here."""
    data = os.path.join(args.root, "warmup")
    if not os.path.isdir(data):
        os.makedirs(data)
        rnd = random.Random(7)
        for i in range(3000):
            os.makedirs(os.path.join(data, f"d{i % 30}"), exist_ok=True)
            with open(os.path.join(data, f"d{i % 30}", f"f{i}"), "wb") as f:
                f.write(os.urandom(rnd.randint(1024, 16384)))
    subprocess.run(["rclone", "mkdir", "s3p:warmup"], env=env, check=True)
    subprocess.run(["rclone", "copy", data, "s3p:warmup", "--transfers", "16", "--stats", "0"], env=env, check=True)
    subprocess.run(["rclone", "purge", "s3p:warmup"], env=env, check=True)
    log("S3Proxy warmed up (3,000 objects, not measured)")
    for launcher_tool in dict.fromkeys(tool for tool, _ in tools if tool in FERRY_TOOLS):
        launcher = LAUNCHER if launcher_tool == "ferry" else BASELINE
        subprocess.run(["rclone", "mkdir", "s3p:warmup-ferry"], env=env, check=True)
        work = os.path.join(args.root, "warmup-work")
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run(command(launcher_tool, "default", os.path.join(data, "d0"), "warmup-ferry", server, work),
                       env=ferry_env(env, "default"), check=True, stdout=subprocess.DEVNULL)
        # the launcher puts the CLI's archive written at that run's exit in place when it next starts
        subprocess.run([launcher, "--version"], env=ferry_env(env, "default"), check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["rclone", "purge", "s3p:warmup-ferry"], env=env, check=True)
        log(f"{launcher_tool} warmed up (class data archives of its CLI and workers, not measured)")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
