#!/usr/bin/env python3
"""Time several commands on the same machine in one run and report ratios.

    bench_compare.py --runs N --cwd DIR --name A -- cmd... --name B -- cmd...

Each command runs once to warm the file cache, then N times, alternating between the
commands so drift affects them alike. Wall-clock time per run (time.perf_counter); the
median and the minimum are reported, and the ratio of every command's median to the
last command's (the reference). Output of the commands is discarded; a non-zero exit
status aborts the benchmark.
"""

import os
import statistics
import subprocess
import sys
import time


def parse(argv):
    runs, cwd, cmds = 10, ".", []
    i = 0
    while i < len(argv):
        if argv[i] == "--runs":
            runs = int(argv[i + 1])
            i += 2
        elif argv[i] == "--cwd":
            cwd = argv[i + 1]
            i += 2
        elif argv[i] == "--name":
            name = argv[i + 1]
            assert argv[i + 2] == "--", "expected -- after the name"
            j = i + 3
            while j < len(argv) and argv[j] != "--name":
                j += 1
            cmds.append((name, argv[i + 3 : j]))
            i = j
        else:
            raise SystemExit(f"unknown argument {argv[i]}")
    return runs, cwd, cmds


def run_once(cmd, cwd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode(errors="replace"))
        raise SystemExit(f"{cmd[0]} exited {proc.returncode}")
    return elapsed, len(proc.stdout.splitlines())


def main():
    runs, cwd, cmds = parse(sys.argv[1:])
    times = {name: [] for name, _ in cmds}
    lines = {}
    for name, cmd in cmds:
        _, lines[name] = run_once(cmd, cwd)
    for _ in range(runs):
        for name, cmd in cmds:
            t, _ = run_once(cmd, cwd)
            times[name].append(t)
    ref = cmds[-1][0]
    ref_median = statistics.median(times[ref])
    print(f"machine: {os.cpu_count()} CPUs; runs: {runs}; tree: {cwd}")
    print(f"{'command':<8} {'median':>9} {'min':>9} {'ratio':>7} {'findings':>9}")
    for name, _ in cmds:
        med = statistics.median(times[name])
        print(
            f"{name:<8} {med * 1000:>7.0f}ms {min(times[name]) * 1000:>7.0f}ms {med / ref_median:>6.2f}x {lines[name]:>9}"
        )


if __name__ == "__main__":
    main()
