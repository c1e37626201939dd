"""Whether a core the run leaves idle is free on this machine (docs/benchmarks.md, issue 19).

``idle`` and ``nice``: rounds of a cold ``djust check`` (``--no-cache``) on one tree:
alone, then beside a process that always wants a CPU (a Python busy loop) run at the
lowest priority, as ``SCHED_IDLE`` (``chrt -i 0``) or at nice 19 (``nice -n 19``).
Prints both medians and the paired difference's mean with its 95% interval. If the
run slows down, so does work it hands to a low-priority thread, such as the cache's
writer.

``pair``: whether the two CPUs slow each other's computation (two logical CPUs of one
core would): rounds of a fixed Python loop timed alone, then two copies at once
(TREE is not used). Prints the median time of a copy in each case.

Usage: python3 scripts/bench_idle_contention.py TREE ROUNDS idle|nice|pair [DJUST]
(default build: target/release/djust)
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

# A fixed amount of computation, about two thirds of a second on the standard machine.
LOOP = "import time\nt = time.perf_counter()\nx = 0\nfor i in range(10_000_000): x ^= i\nprint(time.perf_counter() - t)"


def pair(rounds: int) -> None:
    """A copy of LOOP alone and two copies at once, each timed by itself."""

    def copies(count: int) -> list[float]:
        procs = [
            subprocess.Popen([sys.executable, "-c", LOOP], stdout=subprocess.PIPE, text=True) for _ in range(count)
        ]
        return [float(p.communicate()[0]) for p in procs]

    alone: list[float] = []
    together: list[float] = []
    for _ in range(rounds):
        alone += copies(1)
        together += copies(2)
    print(
        f"a loop alone: median {statistics.median(alone) * 1000:.1f} ms; "
        f"two at once: median {statistics.median(together) * 1000:.1f} ms each"
    )


def main() -> None:
    tree, rounds, policy = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if policy == "pair":
        pair(rounds)
        return
    build = os.path.abspath(sys.argv[4] if len(sys.argv) > 4 else "target/release/djust")
    lower = {"idle": ["chrt", "-i", "0"], "nice": ["nice", "-n", "19"]}[policy]
    spinner = [*lower, sys.executable, "-c", "while True: pass"]
    os.chdir(tree)
    command = [build, "check", ".", "--no-cache", "--output-format", "concise", "--exit-zero", "--quiet"]

    def run() -> float:
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        return time.perf_counter() - start

    alone: list[float] = []
    beside: list[float] = []
    for _ in range(rounds):
        alone.append(run())
        spin = subprocess.Popen(spinner)
        time.sleep(0.05)
        try:
            beside.append(run())
        finally:
            spin.kill()
            spin.wait()
    shutil.rmtree(".djust_cache", ignore_errors=True)
    diff = [b - a for a, b in zip(alone, beside, strict=True)]
    half = 1.96 * statistics.stdev(diff) / len(diff) ** 0.5 if len(diff) > 1 else float("nan")
    print(
        f"{tree}: alone median {statistics.median(alone) * 1000:.1f} ms, beside a {policy} spinner "
        f"{statistics.median(beside) * 1000:.1f} ms; paired difference "
        f"{statistics.mean(diff) * 1000:+.1f} ± {half * 1000:.1f} ms (95%)"
    )


if __name__ == "__main__":
    main()
