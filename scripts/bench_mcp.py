"""Benchmark `djust mcp`: process start to the first tool result, and
`detect_common_issues` on a 500-line LiveView module.

    cargo build --release -p djust-cli
    python scripts/bench_mcp.py [--binary target/release/djust] [--runs 30] [--calls 200]

Start: spawn `djust mcp`, send initialize, notifications/initialized and one
tools/call (detect_common_issues on a small view) at once, and stop the clock when
the tool's result line arrives — the whole session a client pays for before its first
answer (median and p95 over --runs processes). Call: in one running server, the round
trip of `detect_common_issues` on a generated 500-line view module (median and p95
over --calls calls). Goals (issue 6): under 50 ms and under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SMALL = """from djust import LiveView
from djust.decorators import event_handler


class Counter(LiveView):
    template_name = "counter.html"

    def mount(self, request, **kwargs):
        self.count = 0

    @event_handler
    def inc(self):
        self.count += 1
"""


def big_view(lines: int = 500) -> str:
    """A LiveView module of about `lines` lines: imports, a mount with state and a
    service (V006), and many handlers, some without **kwargs (V007)."""
    out = [
        "import redis",
        "from djust import LiveView",
        "from djust.decorators import debounce, event_handler",
        "",
        "",
        "class Inventory(LiveView):",
        '    template_name = "inventory.html"',
        "",
        "    def mount(self, request, **kwargs):",
        '        self.cache = redis.from_url("redis://localhost")',
        "        self.items = []",
        "        self.query = ''",
    ]
    n = 0
    while len(out) < lines:
        kwargs = ", **kwargs" if n % 3 else ""
        out += [
            "",
            "    @event_handler",
            f"    def handler_{n}(self, item_id=None, value=''{kwargs}):",
            f'        """Handle event {n}."""',
            "        if item_id is None:",
            "            return",
            f"        self.items = [i for i in self.items if i != item_id] + [{n}]",
            "        self.query = value.strip()",
        ]
        n += 1
    return "\n".join(out[:lines]) + "\n"


def request(id_: int, method: str, params: dict | None = None) -> str:
    message = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        message["params"] = params
    return json.dumps(message) + "\n"


INIT = request(
    1,
    "initialize",
    {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}},
)
INITIALIZED = json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n"


def call(id_: int, code: str) -> str:
    return request(
        id_, "tools/call", {"name": "detect_common_issues", "arguments": {"code": code, "filename": "views.py"}}
    )


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


def start_to_first_result(binary: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen(
            [binary, "mcp"], cwd=ROOT / "examples", stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdin and proc.stdout
        proc.stdin.write(INIT + INITIALIZED + call(2, SMALL))
        proc.stdin.flush()
        while True:
            reply = json.loads(proc.stdout.readline())
            if reply.get("id") == 2:
                break
        samples.append(time.perf_counter() - t)
        assert reply["result"]["structuredContent"]["summary"]["total"] == 1, reply
        proc.stdin.close()
        proc.wait()
    return samples


def detect_latency(binary: str, calls: int) -> tuple[list[float], dict]:
    code = big_view()
    proc = subprocess.Popen(
        [binary, "mcp"], cwd=ROOT / "examples", stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write(INIT + INITIALIZED)
    proc.stdin.flush()
    proc.stdout.readline()
    samples, summary = [], {}
    for n in range(calls):
        t = time.perf_counter()
        proc.stdin.write(call(10 + n, code))
        proc.stdin.flush()
        reply = json.loads(proc.stdout.readline())
        samples.append(time.perf_counter() - t)
        summary = reply["result"]["structuredContent"]["summary"]
    proc.stdin.close()
    proc.wait()
    return samples, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "djust"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    start = start_to_first_result(args.binary, args.runs)
    latency, summary = detect_latency(args.binary, args.calls)
    ms = lambda s: f"{s * 1000:.2f} ms"
    print("| measure | median | p95 | goal |")
    print("| --- | ---: | ---: | ---: |")
    print(
        f"| process start → first tool result ({args.runs} runs) | {ms(statistics.median(start))} | {ms(p95(start))} | < 50 ms |"
    )
    print(
        f"| detect_common_issues, 500-line view ({summary['total']} findings, {args.calls} calls) | "
        f"{ms(statistics.median(latency))} | {ms(p95(latency))} | < 5 ms |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
