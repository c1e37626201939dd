"""``LiveView.push_event``: events pushed from ``mount`` and handlers ride on the
``mounted``/``patch`` reply (issue 21, point 2), in order, after the patches; a failed
or redirecting handler's pushes are not sent; bad names and payloads fail at the call.
The browser side is client/test/hooks.test.mjs and the Chromium test of the example's
counter."""

import json
from decimal import Decimal

import pytest
from djust_test_components import Shop
from djust_test_views import Pusher

from djust.testing import LiveViewTestClient


def test_a_push_from_mount_rides_on_the_mounted_reply() -> None:
    client = LiveViewTestClient(Pusher)
    assert client.reply["type"] == "mounted"
    assert client.reply["events"] == [{"event": "welcome", "payload": {"count": 0}}]
    assert client.pushed_events == [("welcome", {"count": 0})]


def test_handler_pushes_follow_the_patches_in_order_and_are_sent_once() -> None:
    client = LiveViewTestClient(Pusher)
    reply = client.event("inc", step="2")
    assert reply["type"] == "patch" and [p["op"] for p in reply["patches"]] == ["text"]
    assert client.pushed_events == [("counted", {"count": 2, "at": Decimal("1.50")}), ("flash", {})]
    client.assert_push_event("counted")
    client.assert_push_event("flash", {})
    with pytest.raises(AssertionError, match="no push_event"):
        client.assert_push_event("counted", {"count": 3})
    # The next reply carries only its own pushes.
    client.event("dec")
    assert "events" not in client.reply and client.pushed_events == []


def test_a_failed_or_redirecting_handler_sends_no_pushes() -> None:
    client = LiveViewTestClient(Pusher)
    with pytest.raises(RuntimeError, match="after the push"):
        client.event("push_then_fail")
    client.event("dec")
    assert client.pushed_events == []
    client.event("push_then_leave")
    client.assert_redirect("/elsewhere/")
    assert "events" not in client.reply
    client.event("dec")
    assert client.pushed_events == []


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("name", "the event name must be a non-empty string"),
        ("payload", "the payload must be a dict, not list"),
        ("lock", "the payload cannot be sent as JSON"),
    ],
)
def test_bad_names_and_payloads_fail_at_the_call(kind: str, message: str) -> None:
    client = LiveViewTestClient(Pusher)
    with pytest.raises(TypeError, match=message):
        client.event("push_bad", kind=kind)


def test_payloads_use_djangos_json_encoder_on_the_wire() -> None:
    from djust import _rust

    client = LiveViewTestClient(Pusher)
    client.event("inc")
    wire = json.loads(_rust.dumps(client.reply, compact=True))
    assert wire["events"] == [
        {"event": "counted", "payload": {"count": 1, "at": "1.50"}},
        {"event": "flash", "payload": {}},
    ]


def test_a_live_component_pushes_through_its_parent() -> None:
    client = LiveViewTestClient(Shop)
    client.component_event("cart", "remove", index="0")
    assert client.reply["type"] == "patch"
    assert client.pushed_events == [("cart_item_removed", {"left": 2})]
