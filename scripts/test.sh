#!/usr/bin/env bash
# The full test suite: the Django reference outputs, Python lint (ruff), Rust format and
# lints, every Rust test (the `djust lsp` protocol suite and its 1,000-edit robustness
# test among them), the Python package (built from source with pip, tested with
# pytest against Django 5.2), `djust mcp` with the official MCP SDK, the security suite
# (each attack on the socket over a real server, and a protocol fuzzer), `djust new` end to
# end (a generated project passes djust check, manage.py check and its own tests), Django's own template
# tests on djust's engine (a floor on the count), the client's tests (node, happy-dom; the
# patch applier on the patch corpus the Rust tests write), the VS Code extension (built to
# a .vsix), then the example project and a generated one in Chromium.
# Fails on the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Django 5.2 reference renders (scripts/django_render.py)"
VENV=.venv-test
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import django, sys; sys.exit(django.VERSION[:2] != (5, 2))' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "django>=5.2,<5.3" "ruff==0.17.5"
fi
[ -x "$VENV/bin/ruff" ] || "$VENV/bin/pip" install --quiet --disable-pip-version-check "ruff==0.17.5"
[ -x "$VENV/bin/pytest" ] || "$VENV/bin/pip" install --quiet --disable-pip-version-check "pytest>=8,<9"
# Channels (with daphne, which channels.testing needs): the LiveView consumer, and the
# example project (manage.py check in python/tests) lists it in INSTALLED_APPS.
"$VENV/bin/python" -c 'import channels, daphne' 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "channels[daphne]>=4.2,<5"
# numpy: Django's template tests index numpy arrays (test_numpy skips without it).
"$VENV/bin/python" -c 'import numpy' 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "numpy==2.3.5"
# websockets: the client of the security suite (tests/security), over real sockets.
"$VENV/bin/python" -c 'import websockets' 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "websockets==17.4"
# pytest-django: the tests `djust new` generates (scripts/new_e2e.sh).
"$VENV/bin/python" -c 'import pytest_django' 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "pytest-django==4.14.0"
# The OpenTelemetry SDK: djust.profiling exports spans to it when it is installed.
"$VENV/bin/python" -c 'import opentelemetry.sdk' 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "opentelemetry-sdk==1.45.2"
# The official MCP SDK, the client of the djust mcp tests (tests/mcp).
"$VENV/bin/python" -c 'import mcp' 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "mcp==2.3.0"
# channels-redis: the channel layer several server processes share (tests/security).
"$VENV/bin/python" -c 'import channels_redis' 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "channels-redis==4.3.0"
# The example project's own dependencies (examples/pyproject.toml), for the browser test.
"$VENV/bin/python" -c 'import stripe, redis, httpx' 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "stripe==16.1.0" "redis==8.1.0" "httpx==0.28.1"
python3 scripts/gen_template_corpus.py runtime/tests/django/corpus.json
"$VENV/bin/python" scripts/django_render.py runtime/tests/django/corpus.json runtime/tests/django/expected.json
# The committed corpus and expectations must be exactly what the generator and Django produce.
if [ -n "$(git status --porcelain -- runtime/tests/django/)" ]; then
  git status --short -- runtime/tests/django/ >&2
  echo "runtime/tests/django/ differs from what the generator and Django produce: commit the regenerated files" >&2
  exit 1
fi

echo "== ruff (Python: scripts/, examples/, python/, tests/)"
"$VENV/bin/ruff" check scripts/ examples/ python/ tests/
"$VENV/bin/ruff" format --check scripts/ examples/ python/ tests/

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked

echo "== Python package: pip install ./python (maturin, from source), then pytest"
# redis-server (Debian's): the Redis state backend (python/tests), the channel layer and
# state two server processes share (tests/security); tmux: the terminal djust
# profile's live view is tested in (tests/security).
if ! command -v tmux >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
  apt-get update -qq >/dev/null && apt-get install -y -qq tmux redis-server >/dev/null
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python
# From the repository root, so `import djust` is the installed package, not python/djust.
DJUST_BIN="$PWD/target/debug/djust" "$VENV/bin/python" -m pytest -q python/tests

echo "== djust mcp, driven by the official MCP Python SDK (tests/mcp)"
DJUST_BIN="$PWD/target/debug/djust" "$VENV/bin/python" -m pytest -q tests/mcp

echo "== security: each attack of issue 16 and a protocol fuzzer against Daphne on 127.0.0.1, and djust profile against one and two server processes (tests/security)"
"$VENV/bin/python" -m pytest -q tests/security

echo "== djust new: project, app, view, components in a temp dir; djust check, manage.py check, pytest (scripts/new_e2e.sh)"
DJUST_BIN="$PWD/target/debug/djust" DJUST_PYTHON="$PWD/$VENV/bin/python" bash scripts/new_e2e.sh

echo "== Django 5.2's own template tests on djust's engine (scripts/django_conformance.py)"
# docs/conformance.md records the count; fewer passing tests than recorded, or a failing test
# not in scripts/conformance_known_failures.txt (each with why), fails.
"$VENV/bin/python" scripts/django_conformance.py --min-passed 851 --known-failures scripts/conformance_known_failures.txt

echo "== client: the browser patch applier (node --test, happy-dom)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get install -y --no-install-recommends nodejs npm >/dev/null
fi
# The corpus comes from the Rust diff (cargo test above wrote it; refresh to be sure).
cargo test --locked -p djust-runtime --test vdom_diff writes_the_patch_corpus_for_the_browser_applier >/dev/null
(cd client && npm ci --no-audit --no-fund --loglevel=error && npm test)

echo "== editors: the VS Code extension (type check, tests, .vsix with @vscode/vsce)"
(cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error && npm test && npm run package)
test -s editors/vscode/djust.vsix

echo "== browser: the example project (manage.py demo, Daphne) in Chromium (Playwright)"
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error &&
  DJUST_PYTHON="$PWD/../../$VENV/bin/python" DJUST_BIN="$PWD/../../target/debug/djust" CHROMIUM=/usr/bin/chromium npm test)
