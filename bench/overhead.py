#!/usr/bin/env python3
"""Overhead of tracking, measured side by side in one run (a benchmark, not a test).

For each job, rounds alternate untracked and tracked runs so that drift of the
machine hits both alike; the job times itself, so bpfpads' start-up is not in its
number. Start-up is measured separately (`bpfpads run -- true` against `true`), and
the collector's own CPU and peak memory are read from the runs it wrote.

    sudo .venv/bin/python bench/overhead.py [--rounds 7]
"""
import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_quiet(cmd, cwd, to_file):
    """Runs cmd with stdout and stderr into pipes, or into one regular file; returns stdout."""
    if not to_file:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True).stdout
    path = Path(cwd) / "job_output.txt"
    with open(path, "w") as f:
        subprocess.run(cmd, cwd=cwd, stdout=f, stderr=f, check=True)
    return path.read_text()


def job_seconds(cmd, cwd, to_file=False):
    out = run_quiet(cmd, cwd, to_file)
    return json.loads(out.strip().splitlines()[-1])["elapsed_s"]


def wall(cmd, cwd, to_file=False):
    t = time.perf_counter()
    run_quiet(cmd, cwd, to_file)
    return time.perf_counter() - t


def collector_costs(db):
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT m.run_uuid, m.key, m.value FROM latest_metrics m WHERE m.key IN "
        "('bpfpads/collector_cpu_seconds','bpfpads/collector_peak_memory_mb','bpfpads/wall_seconds')").fetchall()
    runs = {}
    for run, key, value in rows:
        runs.setdefault(run, {})[key.split("/")[1]] = value
    return list(runs.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--build", default=str(ROOT / "build"))
    args = ap.parse_args()
    bpfpads = Path(args.build) / "cli" / "bpfpads"
    progs = Path(args.build) / "testprogs"
    jobs = {
        "cpu-bound (cpu_bound 2000M iterations)": [str(progs / "cpu_bound"), "2000"],
        # Both processes on one CPU, as in shared/research/ebpf-lab.md: unpinned, the
        # VM's cross-CPU wake-ups swing the time by 10x and hide any overhead.
        "context-switch heavy (pingpong 400k, one CPU)": ["taskset", "-c", "1", str(progs / "pingpong"), "400000"],
    }
    # Output into pipes: the output tail comes from the sys_enter_write tracepoint;
    # into a regular file: read back from the file at the end, no tracepoint.
    variants = {
        "default, pipes": ([], False),
        "default, file": ([], True),
        "--no-log-on-failure": (["--no-log-on-failure"], False),
    }
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        def tracked_prefix(extra=()):
            return [str(bpfpads), "run", "-q", "--tracking-uri", f"sqlite:///{db}", *extra, "--"]
        print(f"bpfpads overhead benchmark, {args.rounds} interleaved rounds, kernel {os.uname().release}")
        print(f"{'job':48} {'tracking':20} {'untracked s':>11} {'tracked s':>10} {'ratio':>7} {'overhead':>9}")
        for name, cmd in jobs.items():
            job_seconds(cmd, tmp)  # warm caches
            bare = []
            tracked = {v: [] for v in variants}
            for _ in range(args.rounds):
                bare.append(job_seconds(cmd, tmp))
                for v, (extra, to_file) in variants.items():
                    tracked[v].append(job_seconds(tracked_prefix(extra) + cmd, tmp, to_file))
            b = statistics.median(bare)
            for v in variants:
                t = statistics.median(tracked[v])
                print(f"{name:48} {v:20} {b:11.4f} {t:10.4f} {t / b:7.4f} {100 * (t / b - 1):8.2f}%")

        bare = statistics.median(wall(["true"], tmp) for _ in range(args.rounds))
        for v, (extra, to_file) in variants.items():
            start = statistics.median(wall(tracked_prefix(extra) + ["true"], tmp, to_file) for _ in range(args.rounds))
            print(f"start-up ({v}): 'bpfpads run -- true' {start * 1000:.0f} ms "
                  f"vs 'true' {bare * 1000:.1f} ms (+{(start - bare) * 1000:.0f} ms)")

        costs = [c for c in collector_costs(db) if c.get("wall_seconds", 0) > 0.5]
        if costs:
            share = [100 * c["collector_cpu_seconds"] / c["wall_seconds"] for c in costs]
            mem = [c["collector_peak_memory_mb"] for c in costs]
            print(f"collector: median {statistics.median(share):.2f}% of a core over the job's wall time "
                  f"(max {max(share):.2f}%), peak memory median {statistics.median(mem):.1f} MB "
                  f"(max {max(mem):.1f} MB); includes BPF load and store set-up")


if __name__ == "__main__":
    sys.exit(main())
