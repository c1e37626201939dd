"""Load for ``djust profile`` on the example project: ``CLIENTS`` browsers each load a
page, mount its LiveView over a real WebSocket and send its events for ``SECONDS``
(below the default event rate limit). Loopback only.

    python examples/manage.py demo 127.0.0.1:8000 &
    python scripts/profile_load.py http://127.0.0.1:8000 --seconds 20 --clients 6 &
    djust profile http://127.0.0.1:8000                # the live view under load

Needs httpx and websockets (scripts/test.sh installs them).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import itertools
import json
import random
import re
import time
from urllib.parse import urlsplit

import httpx
import websockets

#: Per page: the events a client sends, as (name, params) makers.
PAGES = {
    "/counter/": [("increment", lambda r: {}), ("decrement", lambda r: {})],
    "/catalog/": [
        ("search", lambda r: {"value": r.choice(["", "cleat", "rope", "paint", "kit"])}),
        ("sort_by", lambda r: {"column": r.choice(["name", "price", "stock"])}),
        ("toggle_in_stock", lambda r: {}),
    ],
    "/catalog/browse/": [("select", lambda r: {"slug": r.choice(["rope", "hardware", "safety", "paint"])})],
}


async def client(base: str, path: str, deadline: float, rate: float, seed: int) -> int:
    """One browser on ``path`` until ``deadline``; the number of events answered."""
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        page = await http.get(path)
        token = re.search(r'dj-session="([^"]+)"', page.text)
        cookies = "; ".join(f"{c.name}={c.value}" for c in http.cookies.jar)
    ws_url = base.replace("http://", "ws://") + "/ws/djust/"
    sent = 0
    async with websockets.connect(ws_url, origin=base, additional_headers=[("Cookie", cookies)]) as ws:
        await ws.send(json.dumps({"type": "mount", "url": path, "session": token.group(1) if token else None}))
        assert json.loads(await ws.recv())["type"] == "mounted"
        for ref in itertools.count():
            if time.monotonic() >= deadline:
                break
            name, params = rng.choice(PAGES[path])
            await ws.send(json.dumps({"type": "event", "name": name, "params": params(rng), "ref": ref}))
            await ws.recv()
            sent += 1
            await asyncio.sleep(rng.expovariate(rate))
    return sent


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000 (loopback only)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--rate", type=float, default=8.0, help="events per second per client (under 20)")
    args = parser.parse_args()
    host = urlsplit(args.url).hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        parser.error("only a loopback server (127.0.0.1, ::1, localhost) is loaded")
    if not 0 < args.rate < 20 or not 0 < args.clients <= 64 or not 0 < args.seconds <= 600:
        parser.error("--rate in (0, 20), --clients in 1..64, --seconds in (0, 600]")
    deadline = time.monotonic() + args.seconds
    paths = list(PAGES)
    done = await asyncio.gather(
        *(client(args.url.rstrip("/"), paths[i % len(paths)], deadline, args.rate, i) for i in range(args.clients))
    )
    print(f"{sum(done)} events from {args.clients} clients in {args.seconds:.0f} s")


if __name__ == "__main__":
    asyncio.run(main())
