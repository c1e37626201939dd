"""The first cached run against a cold one in wall time (docs/benchmarks.md, issue 19).

Rounds on one tree, each from an empty cache: for each build given, a run that writes
the cache (``djust check .``) and one that does not (``--no-cache``), the order rotated
from round to round, so that builds compared are measured in the same minutes. Prints,
for each build, both medians, the paired difference's mean with its 95% interval and
its median, and the fastest and tenth-percentile runs of each kind. A build whose file
is named ``ruff`` is run as the reference: ``ruff check .`` with its default rules, from
an empty ``.ruff_cache``, and with ``--no-cache`` for its cold run.

Usage: python3 scripts/bench_first_cached_wall.py TREE ROUNDS [DJUST|RUFF ...]
(default build: target/release/djust)
"""

import os
import shutil
import statistics
import subprocess
import sys
import time


def main() -> None:
    tree, rounds = sys.argv[1], int(sys.argv[2])
    builds = [os.path.abspath(b) for b in sys.argv[3:]] or [os.path.abspath("target/release/djust")]
    os.chdir(tree)
    runs = [(build, kind) for build in builds for kind in ("cached", "cold")]
    times: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
    for i in range(rounds):
        for build, kind in runs[i % len(runs) :] + runs[: i % len(runs)]:
            shutil.rmtree(".djust_cache", ignore_errors=True)
            shutil.rmtree(".ruff_cache", ignore_errors=True)
            command = [build, "check", ".", "--exit-zero", "--quiet"]
            if os.path.basename(build) != "ruff":
                command += ["--output-format", "concise"]
            if kind == "cold":
                command.append("--no-cache")
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[(build, kind)].append(time.perf_counter() - start)
    shutil.rmtree(".djust_cache", ignore_errors=True)
    shutil.rmtree(".ruff_cache", ignore_errors=True)

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f}"

    for build in builds:
        cached, cold = times[(build, "cached")], times[(build, "cold")]
        diff = [a - b for a, b in zip(cached, cold, strict=True)]
        half = 1.96 * statistics.stdev(diff) / len(diff) ** 0.5 if len(diff) > 1 else float("nan")
        tenth = (
            (statistics.quantiles(cached, n=10)[0], statistics.quantiles(cold, n=10)[0])
            if len(diff) > 1
            else (float("nan"), float("nan"))
        )
        print(
            f"{tree} {build}: first cached median {ms(statistics.median(cached))} ms, "
            f"cold median {ms(statistics.median(cold))} ms; paired difference "
            f"{float(ms(statistics.mean(diff))):+.1f} ± {ms(half)} ms (95%), median "
            f"{float(ms(statistics.median(diff))):+.1f} ms; fastest {ms(min(cached))} / {ms(min(cold))} ms, "
            f"10th percentile {ms(tenth[0])} / {ms(tenth[1])} ms"
        )


if __name__ == "__main__":
    main()
