"""Benchmark `djust lsp` on a copy of the example project.

    cargo build --release -p djust-cli
    python scripts/bench_lsp.py [--binary target/release/djust] [--edits 40] [--completions 500]

Measures, in one server process (goals from issue 7):
- initialize: from spawning `djust lsp` to the `initialize` response;
- diagnostics after didChange on a 2,000-line LiveView module: the time from sending a
  `didChange` that removes (or restores) `**kwargs` on one handler to the
  `publishDiagnostics` for that file showing the change (median and p95 over --edits
  edits; goal under 20 ms);
- completion: the round trip of `textDocument/completion` at handler, state, tag and
  filter positions of a template bound to that view (p50 and p95 over --completions
  requests; goal p95 under 10 ms);
- memory: the server's resident set (VmRSS) and its peak (VmHWM) from /proc after
  the example project is indexed and the files are open (goal under 150 MB).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def big_view(lines: int = 2000) -> str:
    """A LiveView module of `lines` lines: state in mount and many handlers."""
    out = [
        "from djust import LiveView",
        "from djust.decorators import event_handler",
        "",
        "",
        "class BigView(LiveView):",
        '    template_name = "core/big.html"',
        "",
        "    def mount(self, request, **kwargs):",
        "        self.items = []",
        "        self.query = ''",
        "        self.total = 0",
        "",
    ]
    n = 0
    while len(out) + 6 <= lines:
        out += [
            "    @event_handler",
            f"    def handler_{n}(self, value='', **kwargs):",
            f'        """Handle event {n}."""',
            "        self.items.append(value)",
            f"        self.total += {n}",
            "",
        ]
        n += 1
    # Whole handlers only (a cut one would not parse); pad to exactly `lines` lines.
    out += [f"# padding {i}" for i in range(lines - len(out))]
    return "\n".join(out) + "\n"


TEMPLATE = """{% extends "base.html" %}
{% block content %}
<div dj-root dj-view="core.big.BigView">
  <input dj-input="handler_1" value="{{ query }}">
  <p>{{ total|floatformat:2 }}</p>
  {% for item in items %}<span>{{ item }}</span>{% endfor %}
</div>
{% endblock %}
"""


class Client:
    def __init__(self, cmd: list[str], cwd: Path):
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 1
        self.diagnostics: dict[str, tuple[float, list]] = {}

    def send(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self) -> dict:
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server exited")
            line = line.strip()
            if not line:
                break
            if line.startswith(b"Content-Length:"):
                length = int(line.split(b":")[1])
        msg = json.loads(self.proc.stdout.read(length))
        if msg.get("method") == "textDocument/publishDiagnostics":
            p = msg["params"]
            self.diagnostics[p["uri"]] = (time.perf_counter(), p["diagnostics"])
        elif "method" in msg and "id" in msg:
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
        return msg

    def request(self, method: str, params) -> dict:
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        while True:
            msg = self.read()
            if msg.get("id") == rid and "method" not in msg:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def notify(self, method: str, params) -> None:
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def wait(self, uri: str, pred, timeout: float = 10.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if uri in self.diagnostics and pred(self.diagnostics[uri][1]):
                return self.diagnostics[uri][0]
            self.read()
        raise RuntimeError(f"no diagnostics for {uri}")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / "target/release/djust"))
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--completions", type=int, default=500)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="djust-bench-lsp-"))
    proj = work / "examples"
    shutil.copytree(ROOT / "examples", proj, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    view_text = big_view()
    (proj / "core/big.py").write_text(view_text)
    (proj / "core/templates/core/big.html").write_text(TEMPLATE)
    view_uri = (proj / "core/big.py").as_uri()
    tpl_uri = (proj / "core/templates/core/big.html").as_uri()

    t0 = time.perf_counter()
    c = Client([args.binary, "lsp"], proj)
    c.request(
        "initialize",
        {
            "processId": None,
            "rootUri": proj.as_uri(),
            "capabilities": {},
            "workspaceFolders": [{"uri": proj.as_uri(), "name": "examples"}],
        },
    )
    init_ms = (time.perf_counter() - t0) * 1000
    c.notify("initialized", {})
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": view_uri, "languageId": "python", "version": 1, "text": view_text}},
    )
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": tpl_uri, "languageId": "django-html", "version": 1, "text": TEMPLATE}},
    )
    # Wait for the first analysis: the index has the view's handlers.
    handler_pos = {"line": 3, "character": TEMPLATE.splitlines()[3].index("handler_1") + 2}
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        r = c.request("textDocument/completion", {"textDocument": {"uri": tpl_uri}, "position": handler_pos})
        if r and any(i["label"] == "handler_300" for i in r):
            break
        time.sleep(0.02)
    else:
        raise SystemExit("the index never listed BigView's handlers")

    # Diagnostics after didChange: toggle **kwargs on handler_7 (V007 appears, goes).
    line_no = next(i for i, l in enumerate(view_text.splitlines()) if "def handler_7(" in l)
    line = view_text.splitlines()[line_no]
    col = line.index(", **kwargs")
    diag_ms = []
    version = 1
    for k in range(args.edits):
        version += 1
        remove = k % 2 == 0
        if remove:
            rng = {
                "start": {"line": line_no, "character": col},
                "end": {"line": line_no, "character": col + len(", **kwargs")},
            }
            text = ""
        else:
            rng = {"start": {"line": line_no, "character": col}, "end": {"line": line_no, "character": col}}
            text = ", **kwargs"
        sent = time.perf_counter()
        c.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": view_uri, "version": version}, "contentChanges": [{"range": rng, "text": text}]},
        )
        want = (lambda d: any(x["code"] == "V007" for x in d)) if remove else (lambda d: not d)
        got = c.wait(view_uri, want)
        diag_ms.append((got - sent) * 1000)

    # Completion latency at four kinds of positions.
    lines = TEMPLATE.splitlines()
    positions = [
        handler_pos,
        {"line": 3, "character": lines[3].index("{{ query") + 4},
        {"line": 4, "character": lines[4].index("floatformat") + 3},
        {"line": 5, "character": lines[5].index("{% for") + 3},
    ]
    comp_ms = []
    for k in range(args.completions):
        pos = positions[k % len(positions)]
        s = time.perf_counter()
        r = c.request("textDocument/completion", {"textDocument": {"uri": tpl_uri}, "position": pos})
        comp_ms.append((time.perf_counter() - s) * 1000)
        assert r, f"no completion at {pos}"

    # Memory, after opening every example file as well.
    for p in sorted(proj.rglob("*.html")) + sorted(proj.rglob("*.py")):
        c.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": p.as_uri(), "languageId": "x", "version": 1, "text": p.read_text()}},
        )
    c.request("textDocument/documentSymbol", {"textDocument": {"uri": view_uri}})
    time.sleep(0.5)
    status = Path(f"/proc/{c.proc.pid}/status").read_text()
    rss = {
        k: int(v.split()[0]) / 1024
        for k, v in (ln.split(":", 1) for ln in status.splitlines())
        if k in ("VmRSS", "VmHWM")
    }
    files = len(list(proj.rglob("*.py"))) + len(list(proj.rglob("*.html")))

    c.request("shutdown", None)
    c.notify("exit", None)
    c.proc.wait(timeout=10)
    shutil.rmtree(work, ignore_errors=True)

    print(f"project: examples/ + a {len(view_text.splitlines())}-line view ({files} files)")
    print(f"initialize response: {init_ms:.1f} ms (process spawn included)")
    print(
        f"diagnostics after didChange ({args.edits} edits): median {statistics.median(diag_ms):.2f} ms, "
        f"p95 {pct(diag_ms, 95):.2f} ms, max {max(diag_ms):.2f} ms (goal < 20 ms)"
    )
    print(
        f"completion ({args.completions} requests): p50 {pct(comp_ms, 50):.2f} ms, "
        f"p95 {pct(comp_ms, 95):.2f} ms (goal p95 < 10 ms)"
    )
    print(f"memory: VmRSS {rss['VmRSS']:.1f} MB, peak VmHWM {rss['VmHWM']:.1f} MB (goal < 150 MB)")


if __name__ == "__main__":
    main()
