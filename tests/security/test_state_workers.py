"""A LiveView's state across worker processes (issue 22, point 1): two Daphne processes
of the example project keep states in one real Redis (``DJUST["STATE_BACKEND"] =
"redis"``). A browser whose socket closes and reconnects to the *other* process gets
its view back as it was, without a mount; another browser with the same ``sid`` does
not; the kept state has Redis's expiry."""

from __future__ import annotations

import json
import re

import pytest
import redis
from conftest import mount


def count_of(html: str) -> int:
    found = re.search(r'id="count"[^>]*>(-?\d+)<', html) or re.search(r'class="count"[^>]*>(-?\d+)<', html)
    assert found, html[:800]
    return int(found.group(1))


def test_a_reconnect_to_the_other_worker_restores_the_view(workers, redis_url) -> None:
    a, b = workers
    browser = a.browser()
    token = browser.page("/counter/")
    with browser.socket() as sock:
        first = sock.ask(mount("/counter/", token))
        assert first["type"] == "mounted" and "restored" not in first
        sid = first["sid"]
        for ref in (1, 2):
            assert sock.ask({"type": "event", "name": "increment", "params": {}, "ref": ref})["type"] == "patch"
    assert count_of(first["html"]) == 0

    # Worker a's socket is gone; the browser reconnects to worker b.
    browser.server = b
    with browser.socket() as sock:
        back = sock.ask(mount("/counter/", token, restore=sid))
        assert back["type"] == "mounted" and back["restored"] is True and back["sid"] == sid, back
        assert count_of(back["html"]) == 2
        assert sock.ask({"type": "event", "name": "increment", "params": {}, "ref": 3})["type"] == "patch"

    # And back to worker a: b's change is there.
    browser.server = a
    with browser.socket() as sock:
        again = sock.ask(mount("/counter/", token, restore=sid))
        assert again["restored"] is True and count_of(again["html"]) == 3

    # Another browser with the sid (and its own token): its own fresh view.
    other = b.browser()
    other_token = other.page("/counter/")
    with other.socket() as sock:
        theirs = sock.ask(mount("/counter/", other_token, restore=sid))
        assert theirs["type"] == "mounted" and "restored" not in theirs and count_of(theirs["html"]) == 0

    # The state lives in Redis with an expiry (STATE_TTL, an hour by default).
    store = redis.Redis.from_url(redis_url)
    assert 0 < store.ttl(f"djust:state:{sid}") <= 3600


def recv_until(sock, found, limit: int = 50) -> dict:
    """The first message on ``sock`` for which ``found`` holds (each within 10 s)."""
    for _ in range(limit):
        message = sock.recv()
        if found(message):
            return message
    raise AssertionError("no such message")


def shows(text: str):
    return lambda m: m.get("type") in ("patch", "mounted") and text in json.dumps(m)


def test_presence_and_broadcast_reach_across_workers(workers) -> None:
    a, b = workers
    ada, bob = a.browser(), b.browser()
    ada_token, bob_token = ada.page("/room/?name=ada"), bob.page("/room/?name=bob")
    with ada.socket() as ada_sock, bob.socket() as bob_sock:
        assert ada_sock.ask(mount("/room/?name=ada", ada_token))["type"] == "mounted"
        recv_until(ada_sock, shows("ada;"))
        assert bob_sock.ask(mount("/room/?name=bob", bob_token))["type"] == "mounted"
        # Bob, on worker b, lists Ada (on worker a) from her answer; Ada hears his join.
        recv_until(bob_sock, lambda m: shows("ada;")(m) and shows("bob;")(m))
        recv_until(ada_sock, shows("bob;"))

        # Ada's broadcast on worker a reaches Bob's view on worker b.
        ada_sock.send({"type": "event", "name": "say", "params": {"text": "hello from a"}, "ref": 2})
        recv_until(bob_sock, shows("ada: hello from a"))
        recv_until(ada_sock, shows("ada: hello from a"))

    # Both sockets closed: a new member sees nobody else.
    cy = a.browser()
    cy_token = cy.page("/room/?name=cy")
    with cy.socket() as sock:
        assert sock.ask(mount("/room/?name=cy", cy_token))["type"] == "mounted"
        listed = recv_until(sock, shows("cy;"))
        assert "ada;" not in json.dumps(listed) and "bob;" not in json.dumps(listed)
        # Nobody answers the join later either: they left when their sockets closed.
        with pytest.raises(TimeoutError):
            sock.recv(timeout=1.0)
