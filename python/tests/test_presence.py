"""Presence and broadcast (issue 22, point 2) over the real consumer and Channels'
in-memory layer: members see each other join and leave, a broadcast reaches every
subscribed view (the sender's too), a member that stops answering is dropped after three
missed heartbeats, a restored view takes its subscriptions and presence up again, and
the groups per connection are limited. Across two server processes on Redis:
tests/security/test_state_workers.py."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings
from djust_test_views import Room
from livepage import Page

from djust import presence, state_backends
from djust.consumer import LiveViewConsumer
from djust.testing import LiveViewTestClient


@pytest.fixture(autouse=True)
def fresh_layer() -> None:
    # Each test runs its own event loop: a layer (and its queues) per test.
    channel_layers.backends.clear()
    state_backends._backend.cache_clear()


class Member:
    """One browser in the room: its page and its socket."""

    def __init__(self, name: str, room: str = "lobby") -> None:
        self.page = Page(f"/room/{room}/?name={name}", client=Client())
        self.ws = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=self.page.headers())
        self.seen: list[dict[str, Any]] = []
        self.mounted: dict[str, Any] = {}

    async def join(self, **extra: Any) -> dict[str, Any]:
        connected, _ = await self.ws.connect()
        assert connected
        await self.ws.send_json_to(self.page.mount(ref=1, **extra))
        self.mounted = await self.until(lambda m: m["type"] == "mounted")
        return self.mounted

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_json_to(message)

    async def until(self, found: Callable[[dict[str, Any]], bool], timeout: float = 5) -> dict[str, Any]:
        """The first message (from now on) for which ``found`` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            assert left > 0, f"no such message; got {json.dumps(self.seen)[-1500:]}"
            message = await self.ws.receive_json_from(timeout=left)
            self.seen.append(message)
            if found(message):
                return message

    async def drain(self) -> list[dict[str, Any]]:
        """Every message that arrives until the socket is quiet for 0.3 s."""
        out = []
        while not await self.ws.receive_nothing(timeout=0.3):
            message = await self.ws.receive_json_from(timeout=1)
            self.seen.append(message)
            out.append(message)
        return out

    async def leave(self) -> None:
        await self.ws.disconnect()


def count_is(n: int) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] == "patch" and any(p.get("text") == str(n) for p in m["patches"] if p["op"] == "text")


def has_event(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: any(e["event"] == name for e in m.get("events", []))


def says(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["type"] == "patch" and text in json.dumps(m["patches"])


def test_members_see_each_other_join_talk_and_leave() -> None:
    async def run() -> None:
        ada, bob = Member("ada"), Member("bob")
        await ada.join()
        await ada.until(count_is(1))  # its own join came back through the group
        await bob.join()
        # Bob learns of Ada from her answer (here), and of himself from his join.
        await bob.until(count_is(2))
        joined = await ada.until(has_event("joined"))
        assert joined["events"] == [{"event": "joined", "payload": {"name": "bob"}}]
        assert count_is(2)(joined)

        # Ada speaks: the broadcast reaches both views, hers included.
        await ada.send({"type": "event", "name": "say", "params": {"text": "hi"}, "ref": 2})
        await ada.until(says("ada: hi"))
        await bob.until(says("ada: hi"))

        # Bob closes his socket: Ada hears the leave.
        await bob.leave()
        left = await ada.until(has_event("left"))
        assert left["events"] == [{"event": "left", "payload": {"name": "bob"}}] and count_is(1)(left)
        await ada.leave()

    asyncio.run(run())


def test_another_room_hears_nothing_and_untrack_leaves() -> None:
    async def run() -> None:
        ada, cy = Member("ada", room="one"), Member("cy", room="two")
        await ada.join()
        await ada.until(count_is(1))
        await cy.join()
        await cy.until(count_is(1))
        await cy.send({"type": "event", "name": "say", "params": {"text": "anyone?"}, "ref": 2})
        await cy.until(says("cy: anyone?"))
        assert await ada.ws.receive_nothing(timeout=0.3)

        dee = Member("dee", room="one")
        await dee.join()
        await ada.until(has_event("joined"))
        await dee.send({"type": "event", "name": "leave_room", "params": {}, "ref": 2})
        left = await ada.until(has_event("left"))
        assert count_is(1)(left)
        # Dee no longer hears the room.
        await ada.send({"type": "event", "name": "say", "params": {"text": "bye"}, "ref": 3})
        await ada.until(says("ada: bye"))
        await dee.drain()
        assert not any(says("ada: bye")(m) for m in dee.seen), dee.seen
        for m in (ada, cy, dee):
            await m.leave()

    asyncio.run(run())


def test_a_member_that_stops_answering_is_dropped_after_three_heartbeats() -> None:
    async def run() -> None:
        ada = Member("ada")
        await ada.join()
        await ada.until(count_is(1))
        # A member on a worker that died: it joined, then never said anything again.
        layer = get_channel_layer()
        ghost = {
            "type": presence.PRESENCE,
            "op": "join",
            "key": "room:lobby",
            "id": "ghost|",
            "meta": {"name": "ghost"},
        }
        await layer.group_send(presence.layer_group("p", "room:lobby"), {**ghost, "reply_to": "nobody.listens"})
        await ada.until(count_is(2))
        started = asyncio.get_running_loop().time()
        left = await ada.until(has_event("left"), timeout=3)
        waited = asyncio.get_running_loop().time() - started
        assert left["events"] == [{"event": "left", "payload": {"name": "ghost"}}] and count_is(1)(left)
        assert 0.2 <= waited < 2.5, waited  # three beats of 0.1 s, give or take a beat
        # Ada's own heartbeats keep her listed.
        assert await ada.ws.receive_nothing(timeout=0.5)
        await ada.leave()

    with override_settings(DJUST={"PRESENCE_HEARTBEAT": 0.1}):
        asyncio.run(run())


def test_broadcast_from_anywhere_reaches_subscribed_views() -> None:
    async def run() -> None:
        ada = Member("ada")
        await ada.join()
        await ada.until(count_is(1))
        await presence.abroadcast("chat:lobby", "said", {"who": "shop", "text": "closing soon"})
        await ada.until(says("shop: closing soon"))
        await ada.leave()

    asyncio.run(run())


def test_a_restored_view_subscribes_and_tracks_again() -> None:
    async def run() -> None:
        ada = Member("ada")
        mounted = await ada.join()
        await ada.until(count_is(1))
        await ada.leave()
        again = Member("ada")
        again.page = ada.page  # the same browser, reconnecting
        again.ws = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=ada.page.headers())
        back = await again.join(restore=mounted["sid"])
        assert back["restored"] is True
        await again.until(count_is(1))  # present again
        await presence.abroadcast("chat:lobby", "said", {"who": "shop", "text": "welcome back"})
        await again.until(says("shop: welcome back"))
        await again.leave()

    asyncio.run(run())


def test_groups_per_connection_are_limited(caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        ada = Member("ada")
        await ada.join()  # the chat group fits; the presence group is one too many
        assert await ada.ws.receive_nothing(timeout=0.3)  # no join came back
        await ada.send({"type": "event", "name": "say", "params": {"text": "still here"}, "ref": 2})
        await ada.until(says("ada: still here"))  # the subscription it got works
        await ada.leave()

    with override_settings(DJUST={"MAX_GROUPS_PER_CONNECTION": 1}), caplog.at_level(logging.WARNING, logger="djust"):
        asyncio.run(run())
    refused = [r.getMessage() for r in caplog.records if "refused a subscription" in r.getMessage()]
    assert refused and "MAX_GROUPS_PER_CONNECTION" in refused[0]


def test_bad_groups_events_and_metas_fail_at_the_call() -> None:
    client = LiveViewTestClient(Room, room="x")
    view = client.view
    with pytest.raises(TypeError, match="a group is a non-empty string"):
        view.subscribe("")
    with pytest.raises(TypeError, match="a group is a non-empty string"):
        view.broadcast("x" * 201, "said", {})
    with pytest.raises(TypeError):
        view.broadcast("chat:x", "said", {"when": object()})
    with pytest.raises(TypeError):
        view.track_presence({"lock": object()})


def test_cursors_go_to_the_other_members_only_unrendered_and_limited() -> None:
    async def run() -> None:
        ada, bob = Member("ada"), Member("bob")
        await ada.join()
        await ada.until(count_is(1))
        await bob.join()
        await bob.until(count_is(2))
        await ada.until(has_event("joined"))
        await ada.drain()
        await bob.drain()

        await ada.send({"type": "cursor", "x": 0.5, "y": 0.25})
        moved = await bob.until(lambda m: m["type"] == "cursor")
        assert moved["x"] == 0.5 and moved["y"] == 0.25 and moved["meta"] == {"name": "ada"}
        assert moved["id"].endswith("|") and "v" not in moved  # no render, no version
        assert not [m for m in await ada.drain() if m["type"] == "cursor"]  # not her own

        # A malformed position is refused with a reply; one over the limit is dropped.
        await ada.send({"type": "cursor", "x": 2, "y": "top", "ref": 9})
        refused = await ada.until(lambda m: m["type"] == "error")
        assert refused["code"] == "bad_request" and refused["ref"] == 9
        for i in range(10):
            await ada.send({"type": "cursor", "x": i / 10, "y": 0})
        got = [m for m in await bob.drain() if m["type"] == "cursor"]
        assert len(got) == 3, got  # CURSOR_RATE_LIMIT's burst of 3 (one was spent above)

        # Bob leaves: Ada's page removes his cursor.
        await bob.send({"type": "cursor", "x": 0.1, "y": 0.1})
        bobs = await ada.until(lambda m: m["type"] == "cursor" and m.get("x") == 0.1)
        assert bobs["meta"] == {"name": "bob"} and bobs["id"] != moved["id"]
        await bob.leave()
        gone = await ada.until(lambda m: m["type"] == "cursor" and m.get("gone"))
        assert gone["id"] == bobs["id"]
        await ada.leave()

    with override_settings(DJUST={"CURSOR_RATE_LIMIT": {"rate": 0.01, "burst": 4}}):
        asyncio.run(run())


def test_a_view_that_tracks_no_presence_cannot_send_cursors() -> None:
    async def run() -> None:
        page = Page("/counter/")
        ws = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=page.headers())
        assert (await ws.connect())[0]
        await ws.send_json_to(page.mount(ref=1))
        assert (await ws.receive_json_from(timeout=5))["type"] == "mounted"
        await ws.send_json_to({"type": "cursor", "x": 0.5, "y": 0.5, "ref": 2})
        refused = await ws.receive_json_from(timeout=5)
        assert refused["code"] == "bad_request" and "tracks presence" in refused["message"]
        await ws.disconnect()

    asyncio.run(run())


def test_the_test_client_carries_out_subscriptions_broadcasts_and_presence() -> None:
    client = LiveViewTestClient(Room, room="x")
    # Tracked: the view lists itself, as its own join coming back would.
    assert client.view.presence_count() == 1 and client.groups == {"chat:x"}
    assert '<p dj-id="1" class="count">1</p>' in client.html
    # Its broadcast comes back to it (it is subscribed), and is recorded.
    client.event("say", text="hi")
    client.assert_broadcast("chat:x", "said", {"who": "anon", "text": "hi"})
    assert "anon: hi" in client.html
    # Another user's broadcast and another member's join and leave.
    client.receive_broadcast("chat:x", "said", who="shop", text="closing")
    assert "shop: closing" in client.html
    client.presence_join("bob|1", name="bob")
    assert client.view.presence_count() == 2 and '">bob</li>' in client.html
    client.assert_push_event("joined", {"name": "bob"})
    client.presence_leave("bob|1")
    assert client.view.presence_count() == 1
    client.assert_push_event("left", {"name": "bob"})
    # Leaving the room: no longer subscribed, so a broadcast there is a test error.
    client.event("leave_room")
    assert client.groups == set()
    with pytest.raises(AssertionError, match="not subscribed to 'chat:x'"):
        client.receive_broadcast("chat:x", "said", who="x", text="y")
    with pytest.raises(AssertionError, match="no broadcast 'said' to 'elsewhere'"):
        client.assert_broadcast("elsewhere", "said")
