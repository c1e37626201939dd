#!/usr/bin/env bash
# djust check against ruff on three trees (docs/benchmarks.md, issue 19): Django 5.2.8's
# source (its sdist from PyPI) and the synthetic 10k and 40k projects. For each: cold
# times (both --no-cache, alternating), peak memory (/usr/bin/time -f %M, median of five
# alternating runs), and djust's first cached run against a cold one.
# Usage: scripts/bench-check-trees.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=10
[ "${1:-}" = "--runs" ] && RUNS=$2
OUT=bench-out
bash scripts/bench-check.sh --runs 1 >/dev/null   # builds djust, ruff and the 10k tree
if [ ! -d "$OUT/project40k" ]; then
  python3 scripts/gen_synthetic_project.py "$OUT/project40k" --py 40000 --templates 20000
  find "$OUT/project40k" -type f -exec touch -d '1 minute ago' {} +
fi
if [ ! -d "$OUT/django-src" ]; then
  mkdir -p "$OUT/dl" "$OUT/django-src"
  "$OUT/venv/bin/pip" download --quiet --no-binary :all: --no-deps "django==5.2.8" -d "$OUT/dl"
  tar xzf "$OUT/dl/django-5.2.8.tar.gz" -C "$OUT/django-src" --strip-components=1
  find "$OUT/django-src" -type f -exec touch -d '1 minute ago' {} +
fi
D="$PWD/target/release/djust"
R="$PWD/$OUT/venv/bin/ruff"
for tree in django-src project project40k; do
  echo "== $tree"
  python3 scripts/bench_compare.py --runs "$RUNS" --cwd "$OUT/$tree" \
    --name djust -- "$D" check . --no-cache --output-format concise --exit-zero --quiet \
    --name ruff -- "$R" check --isolated --no-cache --exit-zero --output-format concise .
  python3 scripts/bench_compare.py --runs "$RUNS" --cwd "$OUT/$tree" \
    --name first-cached -- sh -c "rm -rf .djust_cache && '$D' check . --output-format concise --exit-zero --quiet" \
    --name cold -- sh -c "rm -rf .djust_cache && '$D' check . --no-cache --output-format concise --exit-zero --quiet"
  # Peak memory: five runs of each, alternating; the median.
  (cd "$OUT/$tree" &&
    for _ in 1 2 3 4 5; do
      /usr/bin/time -f "djust %M" "$D" check . --no-cache --output-format concise --exit-zero --quiet 2>&1 >/dev/null | tail -1
      /usr/bin/time -f "ruff %M" "$R" check --isolated --no-cache --exit-zero --output-format concise . 2>&1 >/dev/null | tail -1
    done | sort -k1,1 -k2,2n | awk '{v[$1]=v[$1] " " $2; n[$1]++} END {for (t in v) {split(substr(v[t],2), a, " "); printf "peak KB %s (median of %d): %s\n", t, n[t], a[int((n[t]+1)/2)]}}')
done
