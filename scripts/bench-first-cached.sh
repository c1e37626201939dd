#!/usr/bin/env bash
# The first cached run against a cold one (docs/benchmarks.md, issue 19), counted in
# instructions by valgrind's callgrind: the same count whatever else the machine is
# doing, where wall-clock time on a shared machine drifts by more than the difference.
# For djust and, as the reference, for ruff on the same tree, each from an empty cache.
# Usage: scripts/bench-first-cached.sh [tree ...]  (trees under bench-out/; default
# django-src and project, which scripts/bench-check-trees.sh downloads and generates).
set -euo pipefail
cd "$(dirname "$0")/.."
D="$PWD/target/release/djust"
R="$PWD/bench-out/venv/bin/ruff"
trees=("$@")
[ ${#trees[@]} -eq 0 ] && trees=(django-src project)
command -v valgrind >/dev/null || { echo "valgrind is needed (apt install valgrind)" >&2; exit 2; }
[ -x "$D" ] || cargo build --release -q -p djust-cli

# Instructions of one command (all threads), run in the current directory.
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    awk '/Collected/ {print $4}'
}

printf '%-12s %15s %15s %8s %15s %15s %8s\n' tree "djust cached" "djust cold" ratio "ruff cached" "ruff cold" ratio
for tree in "${trees[@]}"; do
  (
    cd "bench-out/$tree"
    rm -rf .djust_cache .ruff_cache
    dc=$(count "$D" check . --output-format concise --exit-zero --quiet)
    dn=$(count "$D" check . --no-cache --output-format concise --exit-zero --quiet)
    rc=$(count "$R" check --isolated --exit-zero --output-format concise .)
    rn=$(count "$R" check --isolated --no-cache --exit-zero --output-format concise .)
    rm -rf .djust_cache .ruff_cache
    awk -v t="$tree" -v dc="$dc" -v dn="$dn" -v rc="$rc" -v rn="$rn" 'BEGIN {
      printf "%-12s %15.0f %15.0f %7.4fx %15.0f %15.0f %7.4fx\n", t, dc, dn, dc / dn, rc, rn, rc / rn }'
  )
done
