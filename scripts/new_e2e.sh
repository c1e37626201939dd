#!/usr/bin/env bash
# `djust new` end to end (issue 17): in a fresh temporary directory, the five commands a
# new user runs (project, app, view with fields, live component, stateless component),
# each timed; then the generated project must pass `djust check` with no finding,
# `manage.py check` with no issue, and its own generated tests under pytest-django.
# The browser half (a click patches the generated page, a component's click patches
# the component) is tests/browser/scaffold.test.mjs.
#
# Environment: DJUST_BIN (default target/debug/djust), DJUST_PYTHON (default
# .venv-test/bin/python; needs django, channels, daphne, pytest-django and djust).
set -euo pipefail
cd "$(dirname "$0")/.."
DJUST="${DJUST_BIN:-$PWD/target/debug/djust}"
PY="${DJUST_PYTHON:-$PWD/.venv-test/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

timed() {
  local start end
  start=$(date +%s%N)
  "$@" >"$work/out.txt" 2>&1 || { cat "$work/out.txt"; echo "failed: $*" >&2; exit 1; }
  end=$(date +%s%N)
  printf '%6d ms  %s\n' $(((end - start) / 1000000)) "$*"
}

cd "$work"
timed "$DJUST" new project mysite
cd mysite
timed "$DJUST" new app shop --wire
timed "$DJUST" new view counter --app shop --wire title:str done:bool count:int
timed "$DJUST" new component cart --app shop
timed "$DJUST" new component badge --app shop --stateless

# Re-running a command changes nothing and says so.
"$DJUST" new view counter --app shop --wire title:str done:bool count:int | grep -q "Nothing to do"

"$DJUST" check --no-cache | tee "$work/check.txt"
grep -q "^All checks passed!" "$work/check.txt"
"$PY" manage.py check 2>&1 | tee "$work/manage.txt"
grep -q "System check identified no issues" "$work/manage.txt"
"$PY" -m pytest -q -p no:cacheprovider 2>&1 | tee "$work/pytest.txt"
grep -Eq "^8 passed" "$work/pytest.txt"
