"""The first cached run against a cold one in wall time (docs/benchmarks.md, issue 19).

Alternating pairs on one tree, each from an empty cache: a run that writes the cache
(``djust check .``) and one that does not (``--no-cache``), in turn first. Prints both
medians and the paired difference's mean with its 95% interval.

Usage: python3 scripts/bench_first_cached_wall.py TREE PAIRS [DJUST]
"""

import os
import shutil
import statistics
import subprocess
import sys
import time


def main() -> None:
    tree, pairs = sys.argv[1], int(sys.argv[2])
    djust = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else "target/release/djust")
    os.chdir(tree)
    cached = [djust, "check", ".", "--output-format", "concise", "--exit-zero", "--quiet"]
    runs = {"cached": cached, "cold": [*cached, "--no-cache"]}
    times: dict[str, list[float]] = {"cached": [], "cold": []}
    for i in range(pairs):
        for kind in ("cached", "cold") if i % 2 == 0 else ("cold", "cached"):
            shutil.rmtree(".djust_cache", ignore_errors=True)
            start = time.perf_counter()
            subprocess.run(runs[kind], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[kind].append(time.perf_counter() - start)
    shutil.rmtree(".djust_cache", ignore_errors=True)
    diff = [a - b for a, b in zip(times["cached"], times["cold"], strict=True)]
    half = 1.96 * statistics.stdev(diff) / len(diff) ** 0.5 if len(diff) > 1 else float("nan")
    print(
        f"{tree}: first cached median {statistics.median(times['cached']) * 1000:.1f} ms, "
        f"cold median {statistics.median(times['cold']) * 1000:.1f} ms; "
        f"paired difference {statistics.mean(diff) * 1000:+.1f} ± {half * 1000:.1f} ms (95%)"
    )


if __name__ == "__main__":
    main()
