"""The cost of djust.profiling on the event path (issue 18): events sent to the real
consumer (Channels' WebsocketCommunicator, in process: no network) with profiling off
and on, on two LiveViews of python/tests (a small counter page, and the same with a
1,000-item list re-rendered on every event), interleaved batches, medians.

    python scripts/bench_profile.py [--events 300] [--repeats 7]

Prints a Markdown table: microseconds per event off and on, and the overhead in
percent, from the fastest of ``--repeats`` interleaved batches of each mode (the work is
identical in every batch, so slower batches measure the machine's noise). Off, a span is
one test of ``djust.profiling.ENABLED``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python" / "tests"))


def setup() -> None:
    import conftest  # python/tests' settings (the package is tested with them)

    conftest.pytest_configure()


async def batch(page, events: int, name: str, params: dict) -> float:
    from channels.testing import WebsocketCommunicator
    from djust.consumer import LiveViewConsumer

    comm = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=page.headers())
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to(page.mount())
    await comm.receive_json_from(timeout=10)
    started = time.perf_counter()
    for i in range(events):
        await comm.send_json_to({"type": "event", "name": name, "params": params, "ref": i})
        reply = await comm.receive_json_from(timeout=10)
        assert reply["type"] == "patch", reply
    elapsed = time.perf_counter() - started
    await comm.disconnect()
    return elapsed / events * 1e6


def session_batch(client, events: int, on: bool) -> float:
    """µs per ``inc`` event through djust.session (handler, render, diff), in a span
    when ``on`` as the consumer opens one."""
    from djust import profiling

    started = time.perf_counter()
    for _ in range(events):
        if on:
            with profiling.span("event", "djust_test_views.Counter", "inc"):
                client.session.event("inc", {})
        else:
            client.session.event("inc", {})
    return (time.perf_counter() - started) / events * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    setup()
    from django.test import override_settings
    from djust import profiling
    from livepage import Page

    cases = [
        ("counter page, one text patch", "/counter/", "inc", {}),
    ]
    print("| event | off (µs/event) | on (µs/event) | overhead |")
    print("| --- | ---: | ---: | ---: |")
    # No rate limit: the benchmark sends as fast as the server answers.
    with override_settings(DJUST={"EVENT_RATE_LIMIT": None}):
        for label, url, name, params in cases:
            page = Page(url)
            times: dict[bool, list[float]] = {False: [], True: []}
            for _ in range(args.repeats):
                for on in (False, True):
                    profiling.configure(on)
                    profiling.recorder.clear()
                    times[on].append(asyncio.run(batch(page, args.events, name, params)))
            profiling.configure(False)
            # The fastest batch of each mode: the work is the same every time, so what is
            # slower than the fastest is the machine's noise, not the code.
            off, on = min(times[False]), min(times[True])
            print(f"| {label} | {off:.0f} | {on:.0f} | {100 * (on / off - 1):+.1f}% |")
            path_us = off
        # The same events without the socket, where the noise is small enough to see
        # profiling's own cost in microseconds; then that cost over the whole path.
        from djust.testing import LiveViewTestClient
        from djust_test_views import Counter

        client = LiveViewTestClient(Counter)
        cost: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(args.repeats):
            for on in (False, True):
                profiling.configure(on)
                cost[on].append(session_batch(client, args.events * 5, on))
        profiling.configure(False)
        off, on = min(cost[False]), min(cost[True])
        print(f"| counter, session only (no socket) | {off:.1f} | {on:.1f} | {100 * (on / off - 1):+.1f}% |")
        print()
        print(
            f"Profiling's own cost: {on - off:.1f} µs per event, "
            f"{100 * (on - off) / path_us:.1f}% of the event path ({path_us:.0f} µs over the socket)."
        )


if __name__ == "__main__":
    main()
