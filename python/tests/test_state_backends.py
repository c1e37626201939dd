"""State backends (issue 22, point 1): a LiveView's state is kept after each message
(JSON with its types, compressed over a threshold, authenticated) in the memory or the
Redis backend, with a TTL; a reconnecting client mounts with ``"restore": sid`` and
gets its view back without ``mount()`` — only for the same class, browser and URL; a
store that is down degrades to a mount with a warning. Across two server processes
sharing Redis: tests/security/test_state_workers.py."""

from __future__ import annotations

import asyncio
import datetime
import logging
import uuid
import zlib
from decimal import Decimal
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils.translation import gettext_lazy
from djust_test_views import Remembered, no_example_addresses
from livepage import Page

from djust import state_backends, state_codec
from djust.consumer import LiveViewConsumer
from djust.forms import LiveForm
from djust.state_backends import BackendUnavailable
from djust.state_backends.memory import MemoryBackend
from djust.state_backends.redis import RedisBackend

# -- the codec -------------------------------------------------------------------------


def round_trip(value: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return state_codec.loads(state_codec.dumps(value, **kwargs))


def test_values_come_back_with_their_types(database: None) -> None:
    group = Group.objects.create(name="editors")
    form = LiveForm({"email": {"required": True, "validators": [no_example_addresses]}})
    form.validate_field("email", "me@example.com")
    state = {
        "n": 1,
        "x": 2.5,
        "nan": float("nan"),
        "s": "text",
        "none": None,
        "flag": True,
        "items": [1, [2, 3]],
        "when": datetime.datetime(2026, 12, 3, 5, 30, 1, 250, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 12, 3),
        "at": datetime.time(5, 30),
        "wait": datetime.timedelta(days=1, seconds=2, microseconds=3),
        "price": Decimal("9.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "pair": (1, "a"),
        "seen": {1, 2},
        "frozen": frozenset({"x"}),
        "by_number": {1: "one", 2: "two"},
        "tagged_key": {"__djust__": "not a tag"},
        "group": group,
        "groups": Group.objects.filter(name__startswith="edit"),
        "form": form,
        "lazy": gettext_lazy("Welcome"),
    }
    back = round_trip(state)
    for name in ("n", "x", "s", "none", "flag", "items", "when", "day", "at", "wait", "price", "id", "pair"):
        assert back[name] == state[name] and type(back[name]) is type(state[name]), name
    assert back["nan"] != back["nan"]
    assert back["seen"] == {1, 2} and type(back["seen"]) is set
    assert back["frozen"] == frozenset({"x"}) and type(back["frozen"]) is frozenset
    assert back["by_number"] == {1: "one", 2: "two"}
    assert back["tagged_key"] == {"__djust__": "not a tag"}
    assert back["group"] == group
    # The queryset is the query, evaluated again: it sees a group created since.
    Group.objects.create(name="editors-in-chief")
    assert sorted(g.name for g in back["groups"]) == ["editors", "editors-in-chief"]
    assert back["form"].errors == {"email": "Use your own address."} and back["form"].validate_field("email", "a@b.org")
    assert back["lazy"] == "Welcome"  # through the project's encoder: as its text


def test_large_states_are_compressed_and_small_ones_are_not() -> None:
    small = state_codec.dumps({"s": "x" * 100}, compress_over=1024)
    large = state_codec.dumps({"s": "x" * 100_000}, compress_over=1024)
    assert small[:1] == b"J" and large[:1] == b"Z"
    assert len(large) < 2_000
    assert state_codec.loads(large) == {"s": "x" * 100_000}


def test_altered_forged_truncated_and_oversized_records_are_refused() -> None:
    data = state_codec.dumps({"count": 1})
    altered = data.replace(b'"count":1', b'"count":9')
    with pytest.raises(state_codec.StateCodecError, match="MAC does not match"):
        state_codec.loads(altered)
    with override_settings(SECRET_KEY="another-project"), pytest.raises(state_codec.StateCodecError, match="MAC"):
        state_codec.loads(data)
    with pytest.raises(state_codec.StateCodecError, match="truncated"):
        state_codec.loads(b"J{}")
    # A small record that inflates past the bound (a zip bomb) is refused unread.
    bomb = b"Z" + zlib.compress(b'{"s":"' + b"x" * 5_000_000 + b'"}')
    bomb += state_codec._mac(bomb)
    with pytest.raises(state_codec.StateCodecError, match="larger than 1000000 bytes"):
        state_codec.loads(bomb, max_size=1_000_000)


def test_a_value_with_no_encoding_is_a_codec_error() -> None:
    with pytest.raises(state_codec.StateCodecError, match="cannot be written"):
        state_codec.dumps({"thing": object()})


# -- the backends ----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_memory_backend_expires_bounds_and_clears() -> None:
    clock = Clock()
    store = MemoryBackend(max_entries=3, clock=clock)
    store.set("a", b"1", ttl=10)
    store.set("b", b"22", ttl=100)
    assert store.get("a") == b"1" and store.stats() == state_backends.BackendStats(2, 3)
    clock.now += 11
    assert store.get("a") is None  # expired
    store.set("c", b"3", ttl=1)
    store.set("d", b"4", ttl=100)
    store.set("e", b"5", ttl=100)  # a fourth entry: the oldest ("b") goes
    assert store.get("b") is None and store.stats().entries == 3
    clock.now += 2
    assert store.clear_expired() == 1 and store.get("d") == b"4"
    store.delete("d")
    assert store.get("d") is None


def test_a_redis_backend_that_cannot_connect_is_unavailable_not_a_hang() -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    store = RedisBackend("redis://127.0.0.1:1/0", timeout=1.0)
    with pytest.raises(BackendUnavailable, match="Redis at redis://127.0.0.1:1/0"):
        store.get("key")
    with pytest.raises(BackendUnavailable):
        store.stats()


def test_the_redis_backend_keeps_states_with_an_expiry(redis_url: str) -> None:
    store = RedisBackend(redis_url)
    store.set("k" * 24, b"state", ttl=30)
    assert store.get("k" * 24) == b"state"
    assert 0 < store.client.ttl("djust:state:" + "k" * 24) <= 30
    store.client.set("djust:state:forever", b"x")  # no expiry: the command removes it
    assert store.clear_expired() == 1 and store.get("forever") is None
    assert store.stats().entries >= 1
    store.delete("k" * 24)
    assert store.get("k" * 24) is None


def test_djust_clearstate_clears_and_reports(redis_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with override_settings(DJUST={"STATE_BACKEND": "redis", "STATE_REDIS_URL": redis_url}):
        RedisBackend(redis_url).client.set("djust:state:stale", b"x")
        call_command("djust_clearstate", "--stats")
        out = capsys.readouterr().out
        assert "Removed 1 expired state(s)." in out and "Kept: " in out
    with override_settings(DJUST={"STATE_BACKEND": None}), pytest.raises(CommandError, match="no states are kept"):
        call_command("djust_clearstate")
    down = {"STATE_BACKEND": "redis", "STATE_REDIS_URL": "redis://127.0.0.1:1/0"}
    with override_settings(DJUST=down), pytest.raises(CommandError, match="Redis at"):
        call_command("djust_clearstate")


# -- restoring over the socket ---------------------------------------------------------


async def exchange(page: Page, *messages: dict[str, Any], cookie: str | None = None) -> list[dict[str, Any]]:
    """One socket of ``page``'s browser (or of ``cookie``'s): each message, its reply."""
    communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=page.headers(cookie=cookie))
    connected, _ = await communicator.connect()
    assert connected
    replies = []
    for message in messages:
        await communicator.send_json_to(message)
        replies.append(await communicator.receive_json_from(timeout=5))
    await communicator.disconnect()
    return replies


def count_in(html: str) -> str:
    return html.split('class="count">', 1)[1].split("<", 1)[0]


def inc(ref: int) -> dict[str, Any]:
    return {"type": "event", "name": "inc", "params": {"step": "3"}, "ref": ref}


@pytest.fixture
def remembered() -> Page:
    Remembered.mounts = 0
    Remembered.restores.clear()
    state_backends._backend.cache_clear()  # a fresh memory backend
    return Page("/remembered/")


def test_a_reconnect_restores_the_view_without_mounting_it(remembered: Page) -> None:
    page = remembered
    mounted, patched = asyncio.run(exchange(page, page.mount(ref=1), inc(2)))
    sid = mounted["sid"]
    assert patched["type"] == "patch" and "restored" not in mounted
    mounts = Remembered.mounts

    # The socket is gone; a new one (the same browser) mounts with the sid.
    (again,) = asyncio.run(exchange(page, page.mount(ref=1, restore=sid)))
    assert again["type"] == "mounted" and again["restored"] is True and again["sid"] == sid
    assert count_in(again["html"]) == "3"
    assert Remembered.mounts == mounts and Remembered.restores == ["/remembered/"]

    # The restored view goes on from there, and its state is kept again.
    replies = asyncio.run(exchange(page, page.mount(ref=1, restore=sid), inc(2)))
    assert count_in(replies[0]["html"]) == "3"
    (third,) = asyncio.run(exchange(page, page.mount(ref=1, restore=sid)))
    assert count_in(third["html"]) == "6" and Remembered.mounts == mounts


def test_a_restore_is_only_for_the_same_browser_class_and_url(remembered: Page) -> None:
    page = remembered
    mounted, _ = asyncio.run(exchange(page, page.mount(ref=1), inc(2)))
    sid = mounted["sid"]
    other = Page("/remembered/")  # another browser
    moved = Page("/remembered/?page=2", client=page.client)  # the same browser, another URL
    counter = Page("/counter/", client=page.client)
    mounts = Remembered.mounts  # after the page loads, which mount too

    # Another browser with the stolen sid (and its own page token): a fresh mount.
    (theirs,) = asyncio.run(exchange(other, other.mount(ref=1, restore=sid)))
    assert "restored" not in theirs and count_in(theirs["html"]) == "0"
    # The same browser at another URL of the view (a query it never had): a mount.
    (elsewhere,) = asyncio.run(exchange(moved, moved.mount(ref=1, restore=sid)))
    assert "restored" not in elsewhere
    # The sid of another LiveView class: a mount of this one.
    (plain,) = asyncio.run(exchange(counter, counter.mount(ref=1, restore=sid)))
    assert "restored" not in plain
    # Unknown and malformed sids: a mount.
    for bad in ("x" * 24, "../../etc", 7, None):
        (fresh,) = asyncio.run(exchange(page, page.mount(ref=1, restore=bad)))
        assert "restored" not in fresh and count_in(fresh["html"]) == "0"
    assert Remembered.mounts == mounts + 6
    # Each mount had its own sid, and the first is still restorable by its browser.
    (own,) = asyncio.run(exchange(page, page.mount(ref=1, restore=sid)))
    assert own["restored"] is True and count_in(own["html"]) == "3"


def test_a_store_that_is_down_degrades_to_a_mount_with_a_warning(
    remembered: Page, caplog: pytest.LogCaptureFixture
) -> None:
    page = remembered
    from djust import persistence

    persistence._outage_logged = -1e9
    down = {"STATE_BACKEND": "redis", "STATE_REDIS_URL": "redis://127.0.0.1:1/0"}
    with override_settings(DJUST=down), caplog.at_level(logging.WARNING, logger="djust"):
        mounted, patched, again = asyncio.run(
            exchange(page, page.mount(ref=1), inc(2), page.mount(ref=3, restore="s" * 24))
        )
    assert mounted["type"] == "mounted" and patched["type"] == "patch" and again["type"] == "mounted"
    assert "restored" not in again
    outages = [r for r in caplog.records if "state backend is unavailable" in r.getMessage()]
    assert len(outages) == 1, [r.getMessage() for r in caplog.records]  # once a minute, not per message
    assert "views mount again on reconnect" in outages[0].getMessage()


def counting_writes(store: Any) -> list[str]:
    """The keys ``store`` is asked to write from now on."""
    writes: list[str] = []
    original = store.set
    store.set = lambda key, value, ttl: (writes.append(key), original(key, value, ttl))
    return writes


def test_when_states_are_written_and_large_ones_logged(
    remembered: Page, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    page = remembered
    no_op = {"type": "event", "name": "scroll", "params": {}, "ref": 3}
    # Memory: once, when the socket closes; nothing per event.
    writes = counting_writes(state_backends.backend())
    asyncio.run(exchange(page, page.mount(ref=1), inc(2), no_op))
    assert len(writes) == 1
    # Redis, which other workers read: before each reply that changed the state (the
    # mount and the increment); the no-op event and the close write nothing.
    with override_settings(DJUST={"STATE_BACKEND": "redis", "STATE_REDIS_URL": redis_url}):
        writes = counting_writes(state_backends.backend())
        asyncio.run(exchange(page, page.mount(ref=1), inc(2), no_op))
        assert len(writes) == 2
    with override_settings(DJUST={"STATE_WARN_OVER": 64}), caplog.at_level(logging.WARNING, logger="djust"):
        from djust import persistence

        persistence._warned_large.discard("djust_test_views.Remembered")
        asyncio.run(exchange(page, page.mount(ref=1), inc(2), inc(3)))
        asyncio.run(exchange(page, page.mount(ref=1), inc(2)))
    large = [r for r in caplog.records if "bytes of state" in r.getMessage()]
    assert len(large) == 1 and "Remembered keeps" in large[0].getMessage()  # once per class


def test_with_no_backend_there_is_no_sid_and_restore_is_ignored(remembered: Page) -> None:
    page = remembered
    with override_settings(DJUST={"STATE_BACKEND": None}):
        (mounted,) = asyncio.run(exchange(page, page.mount(ref=1, restore="s" * 24)))
    assert "sid" not in mounted and "restored" not in mounted
