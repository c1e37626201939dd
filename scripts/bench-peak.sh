#!/usr/bin/env bash
# Peak memory (max resident set, /usr/bin/time -f %M) of `check --no-cache` on one
# tree, for several binaries run alternately (djust builds, or ruff: a path ending in
# `ruff` runs `ruff check --isolated`), with the median, minimum and maximum of each
# (docs/benchmarks.md, issue 19).
# Usage: scripts/bench-peak.sh TREE RUNS BINARY...   (absolute paths to the binaries)
set -euo pipefail
tree=$1; runs=$2; shift 2
cd "$tree"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  for b in "$@"; do
    if [[ $b == *ruff ]]; then
      /usr/bin/time -f %M -o "$out/one" "$b" check --isolated --no-cache --exit-zero --output-format concise . >/dev/null 2>&1
    else
      /usr/bin/time -f %M -o "$out/one" "$b" check . --no-cache --output-format concise --exit-zero --quiet >/dev/null 2>&1
    fi
    tail -1 "$out/one" >> "$out/$(echo "$b" | tr / _)"
  done
done
for b in "$@"; do
  sort -n "$out/$(echo "$b" | tr / _)" | awk -v b="$b" '{a[NR] = $1}
    END {printf "%s: median %.1f MB (min %.1f, max %.1f)\n", b, a[int((NR + 1) / 2)] / 1024, a[1] / 1024, a[NR] / 1024}'
done
