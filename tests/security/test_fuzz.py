"""A protocol fuzzer for the LiveView socket, against the real server on 127.0.0.1:
random and mutated frames (valid messages with fields swapped for other JSON types,
deep and huge values, lone surrogates, flipped and cut bytes, binary frames). Every
frame must get exactly one reply, the server must never close the socket, nothing may
escape the consumer as a traceback, and the server must be serving at the end.

Bounded: ``DJUST_FUZZ_FRAMES`` frames (default 6,000) or 90 seconds, whichever comes
first. ``DJUST_FUZZ_SEED`` replays a run (the seed is printed on failure)."""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any

from conftest import Server, event, mount

FRAMES = int(os.environ.get("DJUST_FUZZ_FRAMES", "6000"))
SECONDS = 90.0
SEED = int(os.environ.get("DJUST_FUZZ_SEED", "16"))
PER_SOCKET = 35  # under the event burst, so most frames reach the handlers

PAGES = {
    "/counter/": ["increment", "decrement", "set_step", "dismiss_flash"],
    "/pad/": ["make_cycle", "echo"],
    "/catalog/": ["search", "filter_category", "toggle_in_stock", "sort_by"],
    "/accounts/signup/": ["validate", "submit"],
}
FIELDS = ["width", "depth", "step", "title", "query", "", "_private", "__class__", "items"]


def value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value, sometimes deep or large."""
    kind = rng.randrange(14 if depth < 6 else 8)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**31, -(2**63), 10**12, 10**30, 7])
    if kind == 3:
        return rng.choice([0.5, -1e308, 1e-320, 3.14])
    if kind == 4:
        return rng.choice(["", "x", "é", "\U0001f600", "\ud800", "a" * rng.randrange(1, 5000), "<script>", "{{ x }}"])
    if kind == 5:
        return str(rng.randrange(-(10**6), 10**6))
    if kind == 6:
        return rng.choice(["10000000000000", "nan", "inf", "1e999", "-0", " 12 ", "0x10"])
    if kind == 7:
        nested: Any = rng.choice([[], {}, "leaf"])
        for _ in range(rng.randrange(1, 300)):
            nested = [nested] if rng.random() < 0.5 else {"k": nested}
        return nested
    if kind in (8, 9, 10):
        return [value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    return {rng.choice(["value", "n", "a-b", "", "0", "é", "step", "email"]): value(rng, depth + 1)}


def message(rng: random.Random, page: str) -> Any:
    """A message: mostly well-formed with random values, sometimes broken."""
    pick = rng.randrange(11)
    if pick < 4:
        params = {k: value(rng) for k in rng.sample(["value", "step", "email", "n", "key"], rng.randrange(0, 3))}
        return event(rng.choice(PAGES[page] + ["nope", "__init__", "mount", ""]), **params)
    if pick < 6:
        return {"type": "model", "field": rng.choice(FIELDS), "value": value(rng), "ref": value(rng)}
    if pick == 6:
        return {rng.choice(["type", "name", "params", "ref"]): value(rng) for _ in range(rng.randrange(0, 4))}
    if pick == 7:
        return value(rng)
    if pick == 8:
        return mount(rng.choice(list(PAGES) + ["/", "//x", "/admin/", "/no/such/"]), rng.choice([None, "a:b:c"]))
    if pick == 9:
        # Live navigation (issue 21): links, back/forward, with wrong shapes too.
        url = rng.choice([*PAGES, "/catalog/?category=rope&sort=-price", "/catalog/1/", "//x", "/admin/", value(rng)])
        mode = rng.choice(["patch", "navigate", value(rng)])
        return {"type": "navigate", "url": url, "mode": mode, "ref": rng.randrange(1000)}
    return b"\x00" * rng.randrange(0, 64)


def mutate(rng: random.Random, frame: Any) -> Any:
    """Sometimes damage the serialised frame: flip, cut or duplicate bytes."""
    if isinstance(frame, bytes) or rng.random() < 0.6:
        return frame if isinstance(frame, bytes) else json.dumps(frame)
    text = json.dumps(frame)
    at = rng.randrange(len(text) + 1)
    op = rng.randrange(3)
    if op == 0:
        return text[:at]
    if op == 1:
        return text[:at] + rng.choice(['"', "{", "]", ",", "\\", "\x00", "9" * 5000, "[" * 900]) + text[at:]
    return text[:at] + text[at:] * 2


def test_random_and_mutated_frames_never_break_the_socket_or_the_server(server: Server) -> None:
    rng = random.Random(SEED)
    started = time.monotonic()
    visitor = server.browser()
    tokens = {page: visitor.page(page) for page in PAGES}
    sent = replies = sockets = 0
    codes: dict[str, int] = {}
    while sent < FRAMES and time.monotonic() - started < SECONDS:
        page = rng.choice(list(PAGES))
        with visitor.socket() as ws:
            sockets += 1
            first = ws.ask(mount(page, tokens[page]))
            assert first["type"] == "mounted", (SEED, first)
            for _ in range(PER_SOCKET):
                frame = mutate(rng, message(rng, page))
                ws.send(frame)
                sent += 1
                try:
                    reply = ws.recv(timeout=15)
                except Exception as exc:
                    raise AssertionError(f"seed {SEED}: no reply to {str(frame)[:300]!r}: {exc!r}") from exc
                replies += 1
                assert isinstance(reply, dict) and reply.get("type") in (
                    "mounted",
                    "patch",
                    "navigate",
                    "redirect",
                    "error",
                ), (SEED, reply)
                key = reply.get("code", reply["type"])
                codes[key] = codes.get(key, 0) + 1
                if reply["type"] == "redirect":
                    break  # the client would leave the page
    assert sent == replies and sent >= min(FRAMES, 500), (sent, replies)
    log = server.log()
    assert "Traceback" not in log, f"seed {SEED}: a traceback in the log:\n{log[log.find('Traceback') - 500 :][:3000]}"
    assert "WSDISCONNECT" in log
    server.assert_alive()
    # The run reached the handlers, not only the frame checks.
    assert codes.get("patch", 0) > 50 and codes.get("bad_frame", 0) > 50, codes
    print(f"fuzz: seed {SEED}, {sent} frames on {sockets} sockets in {time.monotonic() - started:.1f} s: {codes}")
