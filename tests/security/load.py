"""The LiveView load test (issue 22, point 6): two Daphne processes of the example
project share Redis (channel layer and state backend); ``clients`` browsers, split
between them, each load the counter page, mount it over a real WebSocket and send
``increment`` events for ``seconds``; halfway through, worker ``a`` is stopped and
started again. A client whose socket drops reconnects (backoff 0.1 s doubling to 2 s),
to the other worker first, and mounts with ``"restore": sid``.

Each client keeps its page as a browser would: the ``mounted`` HTML, then every reply's
patches applied to it (``djust._rust.apply_patches``, the reference applier). Every reply
must carry the count it expects (one more than the last); a restored page must show the
count it had (or one more, when an event was in flight as the worker died: its reply was
lost, its effect kept); and at the end it mounts once more, on the worker it did not end
on, and its page must equal that fresh render of the kept state, byte for byte (``dj-id``
numbering aside). A mismatch is a lost or misapplied patch; a reconnect that is not
restored is a remount. Loopback
only, bounded in clients and time.

    python tests/security/load.py --clients 200 --seconds 60       # the full version
    python -m pytest tests/security/test_load.py                    # the CI version

Needs redis-server, httpx and websockets (scripts/test.sh installs them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from djust._rust import apply_patches

PATH = "/counter/"
COUNT = re.compile(r'id="count"[^>]*>(-?\d+)<')
DJ_ID = re.compile(r' dj-id="[^"]*"')


def page_text(html: str) -> str:
    """A LiveView root's HTML without its ``dj-id`` numbering."""
    return DJ_ID.sub("", html)


@dataclass
class Report:
    """What the clients measured (latencies in milliseconds)."""

    clients: int = 0
    seconds: float = 0.0
    events: int = 0
    latencies: list[float] = field(default_factory=list)
    reconnects: int = 0
    restored: int = 0
    remounted: int = 0
    in_flight_kept: int = 0
    pages_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The figures, as the issue note gives them."""
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else 0.0

        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "events": self.events,
            "events_per_second": round(self.events / self.seconds, 1) if self.seconds else 0.0,
            "latency_ms": {
                "p50": pct(0.50),
                "p95": pct(0.95),
                "p99": pct(0.99),
                "mean": round(statistics.fmean(lat), 2) if lat else 0.0,
            },
            "reconnects": self.reconnects,
            "restored_without_remount": self.restored,
            "remounted": self.remounted,
            "in_flight_events_kept": self.in_flight_kept,
            "pages_equal_to_a_fresh_render": self.pages_checked,
            "lost_or_misapplied": len(self.mismatches),
            "errors": len(self.errors),
        }


def count_of(html: str) -> int:
    found = COUNT.search(html)
    if found is None:
        raise ValueError(f"no count in {html[:200]!r}")
    return int(found.group(1))


def patched_count(reply: dict[str, Any]) -> int | None:
    """The count an ``increment`` reply sets (its one text patch), if any."""
    texts = [
        p["text"] for p in reply.get("patches", []) if p.get("op") == "text" and p.get("text", "").lstrip("-").isdigit()
    ]
    return int(texts[0]) if len(texts) == 1 else None


class Client:
    """One browser: its cookies and page token from ``bases[home]``, its socket."""

    def __init__(self, index: int, bases: list[str], report: Report, rate: float) -> None:
        self.index = index
        self.bases = bases
        self.home = index % len(bases)
        self.report = report
        self.rate = rate
        self.expected = 0
        self.sid: str | None = None
        self.token = ""
        self.cookies = ""
        #: The page as the browser shows it: the mounted HTML with every patch applied.
        self.dom = ""

    async def load_page(self) -> None:
        async with httpx.AsyncClient(base_url=self.bases[self.home], timeout=20) as http:
            page = await http.get(PATH)
            found = re.search(r'dj-session="([^"]+)"', page.text)
            assert found, page.text[:300]
            self.token = found.group(1)
            self.cookies = "; ".join(f"{c.name}={c.value}" for c in http.cookies.jar)

    async def connect(self, worker: int) -> Any:
        base = self.bases[worker]
        return await websockets.connect(
            base.replace("http://", "ws://") + "/ws/djust/",
            origin=base,
            additional_headers=[("Cookie", self.cookies)],
            open_timeout=10,
        )

    async def mount(self, ws: Any, in_flight: bool) -> None:
        message = {"type": "mount", "url": PATH, "session": self.token}
        if self.sid:
            message["restore"] = self.sid
        await ws.send(json.dumps(message))
        while True:
            reply = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if reply.get("type") == "mounted":
                break
            if reply.get("type") == "error":
                raise RuntimeError(f"mount refused: {reply}")
        shown = count_of(reply["html"])
        self.dom = reply["html"]
        if self.sid is None:
            self.expected = shown
        elif reply.get("restored"):
            self.report.restored += 1
            if in_flight and shown == self.expected + 1:
                self.expected += 1  # applied and kept, its reply lost with the worker
                self.report.in_flight_kept += 1
            elif shown != self.expected:
                self.report.mismatches.append(f"client {self.index}: restored {shown}, expected {self.expected}")
                self.expected = shown
        else:
            self.report.remounted += 1
            self.expected = shown
        self.sid = reply.get("sid")

    async def run(self, deadline: float) -> None:
        await self.load_page()
        worker = self.home
        retries = 0
        in_flight = False
        rng = random.Random(self.index)
        while time.monotonic() < deadline:
            try:
                async with await self.connect(worker) as ws:
                    await self.mount(ws, in_flight)
                    in_flight = False
                    retries = 0
                    ref = 0
                    while time.monotonic() < deadline:
                        ref += 1
                        started = time.perf_counter()
                        in_flight = True
                        await ws.send(json.dumps({"type": "event", "name": "increment", "params": {}, "ref": ref}))
                        while True:
                            reply = json.loads(await asyncio.wait_for(ws.recv(), 20))
                            if reply.get("ref") == ref:
                                break
                        in_flight = False
                        self.report.latencies.append((time.perf_counter() - started) * 1000)
                        self.report.events += 1
                        if reply.get("type") != "patch":
                            self.report.errors.append(f"client {self.index}: {reply}")
                            continue
                        self.expected += 1
                        try:
                            self.dom = apply_patches(self.dom, json.dumps(reply["patches"]))
                        except ValueError as exc:
                            self.report.mismatches.append(f"client {self.index}: a patch did not apply: {exc}")
                        got = patched_count(reply)
                        if got != self.expected:
                            self.report.mismatches.append(
                                f"client {self.index}: patched {got}, expected {self.expected}"
                            )
                            if got is not None:
                                self.expected = got
                        await asyncio.sleep(rng.expovariate(self.rate))
            except (TimeoutError, OSError, websockets.ConnectionClosed, RuntimeError):
                if time.monotonic() >= deadline:
                    break
                self.report.reconnects += 1
                worker = (worker + 1) % len(self.bases)  # the other worker first
                await asyncio.sleep(min(2.0, 0.1 * 2**retries))
                retries += 1
        await self.final_check(worker)

    async def final_check(self, worker: int) -> None:
        """Mount once more on the other worker: the page must show what this client
        expects."""
        other = (worker + 1) % len(self.bases)
        for attempt in range(5):
            try:
                async with await self.connect(other if attempt % 2 == 0 else worker) as ws:
                    restore = self.sid
                    await ws.send(json.dumps({"type": "mount", "url": PATH, "session": self.token, "restore": restore}))
                    while True:
                        reply = json.loads(await asyncio.wait_for(ws.recv(), 20))
                        if reply.get("type") in ("mounted", "error"):
                            break
                    if reply.get("type") == "mounted" and reply.get("restored"):
                        shown = count_of(reply["html"])
                        if shown != self.expected:
                            self.report.mismatches.append(
                                f"client {self.index}: final {shown}, expected {self.expected}"
                            )
                        elif page_text(self.dom) != page_text(reply["html"]):
                            self.report.mismatches.append(f"client {self.index}: its page differs from a fresh render")
                        else:
                            self.report.pages_checked += 1
                        return
            except (TimeoutError, OSError, websockets.ConnectionClosed):
                await asyncio.sleep(0.2)
        self.report.mismatches.append(f"client {self.index}: the final check could not restore its view")


async def run_load(
    bases: list[str],
    clients: int,
    seconds: float,
    rate: float = 1.0,
    restart: Callable[[], Awaitable[None]] | None = None,
) -> Report:
    """``clients`` clients against ``bases`` for ``seconds``; ``restart`` runs halfway."""
    report = Report(clients=clients)
    started = time.monotonic()
    deadline = started + seconds
    runners = [Client(i, bases, report, rate) for i in range(clients)]
    tasks = [asyncio.create_task(c.run(deadline)) for c in runners]
    if restart is not None:
        await asyncio.sleep(seconds / 2)
        await restart()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    report.seconds = time.monotonic() - started
    for r in results:
        if isinstance(r, BaseException):
            report.errors.append(f"{type(r).__name__}: {r}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=1.0, help="events per second per client (mean)")
    parser.add_argument("--json", type=Path, help="write the summary here too")
    args = parser.parse_args()
    if not (1 <= args.clients <= 1000 and 1 <= args.seconds <= 600):
        parser.error("at most 1,000 clients and 600 seconds")

    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here), str(here.parent)]
    from conftest import EXAMPLES, SETUP, launch
    from redis_server import redis_server

    with tempfile.TemporaryDirectory() as tmp, redis_server(Path(tmp)) as redis_url:
        work = Path(tmp)
        env = {
            **os.environ,
            "DJUST_SECURITY_DB": str(work / "db.sqlite3"),
            "DJUST_SECURITY_REDIS": redis_url,
            "DJANGO_SETTINGS_MODULE": "security_settings",
            "PYTHONPATH": os.pathsep.join([str(here), str(EXAMPLES)]),
            "PYTHONUNBUFFERED": "1",
        }
        subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=EXAMPLES, check=True, timeout=120)
        procs = {}
        for name in ("a", "b"):
            procs[name] = launch(env, work / f"{name}.log")
        bases = [procs["a"][1], procs["b"][1]]

        async def restart() -> None:
            proc, base, log = procs["a"]
            proc.terminate()
            await asyncio.to_thread(proc.wait, 20)
            port = int(base.rsplit(":", 1)[1])
            procs["a"] = await asyncio.to_thread(launch, env, log, port)

        try:
            report = asyncio.run(run_load(bases, args.clients, args.seconds, args.rate, restart))
        finally:
            for proc, _, _ in procs.values():
                proc.terminate()
                proc.wait(timeout=20)
    summary = report.summary()
    text = json.dumps(summary, indent=2)
    print(text)
    for line in (report.mismatches + report.errors)[:20]:
        print(line, file=sys.stderr)
    if args.json:
        args.json.write_text(text + "\n")
    return 0 if not report.mismatches and not report.errors and report.remounted == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
