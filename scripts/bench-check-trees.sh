#!/usr/bin/env bash
# djust check against ruff on three trees (docs/benchmarks.md, issue 19): Django 5.2.8's
# source (its sdist from PyPI) and the synthetic 10k and 40k projects. For each: cold
# times (both --no-cache, alternating), peak memory (/usr/bin/time -f %M), and djust's
# first cached run against a cold one. Usage: scripts/bench-check-trees.sh [--runs N]
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
  (cd "$OUT/$tree" &&
    echo "peak KB djust: $(/usr/bin/time -f %M "$D" check . --no-cache --output-format concise --exit-zero --quiet 2>&1 >/dev/null | tail -1)" &&
    echo "peak KB ruff:  $(/usr/bin/time -f %M "$R" check --isolated --no-cache --exit-zero --output-format concise . 2>&1 >/dev/null | tail -1)")
done
