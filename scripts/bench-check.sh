#!/usr/bin/env bash
# Benchmark `djust check` against `ruff check --isolated` on the same synthetic tree, in
# the same run. Usage: scripts/bench-check.sh [--runs N] [--py N] [--templates N]
#
# 1. builds djust (release), 2. installs a pinned ruff into bench-out/venv with pip,
# 3. generates bench-out/project (scripts/gen_synthetic_project.py), 4. times both tools
# (warm-up, then alternating runs; wall clock, median) and prints the ratio
# djust / ruff, cold (both with --no-cache) and warm (both with their caches).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=10 PY=10000 TEMPLATES=5000
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --py) PY=$2; shift 2 ;;
    --templates) TEMPLATES=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
RUFF_VERSION=0.17.5
OUT=bench-out
mkdir -p "$OUT"
cargo build --release --locked -p djust-cli
if [ ! -x "$OUT/venv/bin/ruff" ] || ! "$OUT/venv/bin/ruff" --version | grep -q "$RUFF_VERSION"; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install --quiet "ruff==$RUFF_VERSION"
fi
rm -rf "$OUT/project"
python3 scripts/gen_synthetic_project.py "$OUT/project" --py "$PY" --templates "$TEMPLATES"
# Files modified in the last two seconds are never cached: backdate the fresh tree.
find "$OUT/project" -type f -exec touch -d '1 minute ago' {} +
DJUST="$PWD/target/release/djust"
RUFF="$PWD/$OUT/venv/bin/ruff"
echo "== cold: no cache for either tool"
python3 scripts/bench_compare.py --runs "$RUNS" --cwd "$OUT/project" \
  --name djust -- "$DJUST" check . --no-cache --output-format concise --exit-zero --quiet \
  --name ruff -- "$RUFF" check --isolated --no-cache --exit-zero --output-format concise .
echo "== warm: each tool with its own cache (ruff's default for \`ruff check --isolated\`)"
python3 scripts/bench_compare.py --runs "$RUNS" --cwd "$OUT/project" \
  --name djust -- "$DJUST" check . --output-format concise --exit-zero --quiet \
  --name ruff -- "$RUFF" check --isolated --exit-zero --output-format concise .
