"""Several LiveViews on one page over one WebSocket (issue 21, point 9):
``{% live_render %}`` embeds a LiveView (mounted on the page load after its own access
checks, with a token signed for its class and the tag's arguments), and the socket
carries messages for each view under its ``view_id``; the number of views per socket is
a setting. Over the real consumer. The client side is client/test/views.test.mjs and
the Chromium test of the example's counter page."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from channels.testing import WebsocketCommunicator
from django.test import override_settings
from livepage import Page

from djust import mount as socket_mount
from djust.consumer import LiveViewConsumer


def tokens(page: Page) -> list[str]:
    return re.findall(r'dj-session="([^"]+)"', page.html)


def test_live_render_embeds_a_liveview_with_its_own_token_and_checks() -> None:
    page = Page("/host/")
    assert page.response.status_code == 200
    main, side = tokens(page)
    assert socket_mount.read(main).embedded is False
    embedded = socket_mount.read(side)
    assert embedded.embedded and embedded.view == "djust_test_views.Counter" and embedded.kwargs == {"title": "Side"}
    assert "<h1" in page.html and "Side" in page.html
    # MembersOnly requires a login: for an anonymous visitor the tag renders nothing.
    assert re.search(r"<footer>\s*</footer>", page.html)


def talk(page: Page, *messages: dict[str, Any], settings: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=page.headers())
        assert (await communicator.connect())[0]
        out = []
        for message in messages:
            await communicator.send_json_to(message)
            out.append(json.loads((await communicator.receive_output(timeout=5))["text"]))
        await communicator.disconnect()
        return out

    with override_settings(DJUST=settings or {}):
        return asyncio.run(run())


def test_two_views_share_one_socket_and_each_message_reaches_its_own() -> None:
    page = Page("/host/")
    main, side = tokens(page)
    replies = talk(
        page,
        {"type": "mount", "url": "/host/", "session": main, "ref": 1},
        {"type": "mount", "url": "/host/", "session": side, "view_id": "side", "ref": 2},
        {"type": "event", "name": "inc", "params": {"step": "3"}, "view_id": "side", "ref": 3},
        {"type": "event", "name": "inc", "params": {}, "ref": 4},
        {"type": "event", "name": "inc", "params": {}, "view_id": "nope", "ref": 5},
        {"type": "event", "name": "inc", "params": {}, "view_id": 7, "ref": 6},
    )
    mounted_main, mounted_side, side_event, main_event, unknown, bad = replies
    assert mounted_main["type"] == "mounted" and "view_id" not in mounted_main
    assert mounted_side["type"] == "mounted" and mounted_side["view_id"] == "side"
    assert 'dj-view="djust_test_views.Counter"' in mounted_side["html"] and "Side" in mounted_side["html"]
    assert side_event["view_id"] == "side" and [p["text"] for p in side_event["patches"] if p["op"] == "text"] == ["3"]
    assert "view_id" not in main_event and [p["text"] for p in main_event["patches"] if p["op"] == "text"] == ["1"]
    assert unknown["type"] == "error" and unknown["code"] == "bad_request" and unknown["view_id"] == "nope"
    assert bad["type"] == "error" and bad["code"] == "bad_frame"


def test_the_embedded_token_mounts_only_its_class_for_this_browser() -> None:
    page = Page("/host/")
    _, side = tokens(page)
    other = Page("/host/")  # another browser: other cookies
    (refused,) = talk(other, {"type": "mount", "url": "/host/", "session": side, "view_id": "x"})
    assert refused["type"] == "error" and refused["code"] == "stale"


def test_views_per_socket_are_limited() -> None:
    page = Page("/host/")
    main, side = tokens(page)
    replies = talk(
        page,
        {"type": "mount", "url": "/host/", "session": main},
        {"type": "mount", "url": "/host/", "session": side, "view_id": "a"},
        {"type": "mount", "url": "/host/", "session": side, "view_id": "b"},
        {"type": "mount", "url": "/host/", "session": side, "view_id": "a"},  # again: a re-mount
        settings={"MAX_VIEWS_PER_CONNECTION": 2},
    )
    assert [r["type"] for r in replies] == ["mounted", "mounted", "error", "mounted"]
    assert "MAX_VIEWS_PER_CONNECTION" in replies[2]["message"]


def test_a_refusal_names_the_view_its_message_was_for() -> None:
    """Regression: a rate-limited (or unknown-type) message of a second view was refused
    without its view_id, so the page routed the error to its first view and the second
    kept waiting for the reply."""
    page = Page("/host/")
    main, side = tokens(page)
    replies = talk(
        page,
        {"type": "mount", "url": "/host/", "session": main, "ref": 1},
        {"type": "mount", "url": "/host/", "session": side, "view_id": "side", "ref": 2},
        {"type": "event", "name": "inc", "params": {}, "view_id": "side", "ref": 3},
        {"type": "event", "name": "inc", "params": {}, "view_id": "side", "ref": 4},
        {"type": "nope", "view_id": "side", "ref": 5},
        settings={"EVENT_RATE_LIMIT": {"rate": 0.01, "burst": 1}},
    )
    limited, unknown = replies[3], replies[4]
    assert limited["code"] == "rate_limited" and limited["view_id"] == "side" and limited["ref"] == 4
    assert unknown["code"] == "bad_frame" and unknown["view_id"] == "side" and unknown["ref"] == 5
