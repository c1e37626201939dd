"""LiveViews over a real Channels consumer (``channels.testing.WebsocketCommunicator``):
mount, events with ``value``/``data-*`` params, patches back, errors as messages, state
validation. The browser-driven test comes with the client."""

import asyncio
import json
import logging

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings

from djust.consumer import LiveViewConsumer
from djust.state import serializable


def talk(*messages: dict) -> list[dict]:
    """Send each message over one WebSocket and collect one reply per message."""

    async def run() -> list[dict]:
        communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/")
        connected, _ = await communicator.connect()
        assert connected
        replies = []
        for m in messages:
            await communicator.send_json_to(m)
            replies.append(await communicator.receive_json_from(timeout=5))
        await communicator.disconnect()
        return replies

    return asyncio.run(run())


MOUNT = {"type": "mount", "view": "djust_test_views.Counter", "url": "/counter/", "ref": 1}


def test_mount_then_events_send_patches() -> None:
    mounted, inc, dec, add = talk(
        MOUNT,
        {"type": "event", "name": "inc", "params": {"step": "2"}, "ref": 2},
        {"type": "event", "name": "dec", "params": {}, "ref": 3},
        {"type": "event", "name": "add", "params": {"value": "z"}, "ref": 4},
    )
    assert mounted["type"] == "mounted" and mounted["v"] == 1 and mounted["ref"] == 1
    assert mounted["html"].startswith('<main dj-id="0" dj-root="" dj-view="djust_test_views.Counter">')
    assert '<span dj-id="3" class="count">0</span>' in mounted["html"]

    assert inc["type"] == "patch" and inc["v"] == 2 and inc["ref"] == 2
    assert [(p["op"], p.get("text")) for p in inc["patches"]] == [("text", "2")]
    assert [(p["op"], p.get("text")) for p in dec["patches"]] == [("text", "1")]
    (insert,) = add["patches"]
    assert insert["op"] == "insert" and insert["i"] == 0 and ">z</li>" in insert["html"]


def test_only_event_handlers_can_be_called() -> None:
    _, reply = talk(MOUNT, {"type": "event", "name": "not_a_handler", "params": {}})
    assert reply["type"] == "error" and "no event handler 'not_a_handler'" in reply["message"]


def test_only_liveviews_can_be_mounted() -> None:
    (reply,) = talk({"type": "mount", "view": "os.system"})
    assert reply["type"] == "error" and "not a LiveView" in reply["message"]
    (reply,) = talk({"type": "event", "name": "inc"})
    assert reply == {"type": "error", "message": "event before mount"}


@pytest.mark.parametrize("debug", [False, True])
def test_handler_errors_do_not_leak_tracebacks_unless_debug(debug: bool, caplog) -> None:
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR, logger="djust"):
        _, reply, after = talk(
            MOUNT,
            {"type": "event", "name": "boom", "params": {}},
            {"type": "event", "name": "inc", "params": {}},
        )
    assert reply["type"] == "error"
    if debug:
        assert "secret detail" in reply["message"] and "RuntimeError" in reply["traceback"]
    else:
        assert "secret detail" not in json.dumps(reply) and "traceback" not in reply
    assert "secret detail" in caplog.text  # logged on the server either way
    assert after["type"] == "patch"  # the socket stays open and the view keeps working


def test_the_page_is_served_over_http() -> None:
    response = Client().get("/counter/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<main dj-root dj-view="djust_test_views.Counter">' in html
    assert '<span class="count">0</span>' in html


def test_non_serialisable_state_raises_in_debug_and_is_dropped_otherwise(caplog) -> None:
    mount = {**MOUNT, "view": "djust_test_views.WithService"}
    with override_settings(DEBUG=True):
        (reply,) = talk(mount)
    assert reply["type"] == "error"
    assert "WithService.lock" in reply["message"] and "_thread.lock" in reply["message"]
    assert "self._lock" in reply["message"] and "https://" in reply["message"]
    with override_settings(DEBUG=False), caplog.at_level(logging.WARNING, logger="djust"):
        (reply,) = talk(mount)
    assert reply["type"] == "mounted"
    assert "WithService.lock" in caplog.text


def test_what_counts_as_serialisable() -> None:
    import datetime
    import decimal
    import threading
    import uuid

    ok = [None, "s", 1, 1.5, True, [1, {"a": (2, 3)}], datetime.date(2026, 1, 1), decimal.Decimal("1.5"), uuid.uuid4()]
    assert all(serializable(v) for v in ok)
    bad = [threading.Lock(), {"client": threading.Lock()}, [object()], open]
    assert not any(serializable(v) for v in bad)


def test_mount_takes_the_urls_kwargs_and_sends_handler_defaults() -> None:
    (mounted,) = talk({"type": "mount", "view": "djust_test_views.Counter", "url": "/counter/Stock/?x=1"})
    assert "<h1 dj-id=" in mounted["html"] and ">Stock</h1>" in mounted["html"]
    assert mounted["handlers"] == {"search": {"debounce": 250}, "scroll": {"throttle": 100}}
    (given,) = talk({**MOUNT, "kwargs": {"title": "Given"}})
    assert ">Given</h1>" in given["html"]


def test_dj_model_sets_only_fields_the_page_binds() -> None:
    _, model, unbound, private, hidden = talk(
        MOUNT,
        {"type": "model", "field": "title", "value": "Renamed", "ref": 2},
        {"type": "model", "field": "count", "value": 99},
        {"type": "model", "field": "_private_lock", "value": None},
        # Bound only in a branch the page does not show (count > 5).
        {"type": "model", "field": "secret_when_big", "value": "x"},
    )
    assert model["type"] == "patch" and model["ref"] == 2
    texts = [p.get("text") for p in model["patches"] if p["op"] == "text"]
    assert texts == ["Renamed"], model["patches"]
    for reply, field in [(unbound, "count"), (private, "_private_lock"), (hidden, "secret_when_big")]:
        assert reply["type"] == "error" and f"'{field}' is not bound with dj-model" in reply["message"]


def test_the_client_is_served_as_a_static_file() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("djust/client.js")
    assert path, "djust/client.js is not found by the static files finders"
    with open(path, "rb") as f:
        source = f.read()
    assert len(source) < 10 * 1024
    assert b"dj-view" in source and b"/ws/djust/" in source


def test_the_page_loads_the_client_once() -> None:
    html = Client().get("/counter/").content.decode()
    assert html.count('<script src="/static/djust/client.js" defer></script></body>') == 1


def test_a_handler_can_redirect() -> None:
    _, reply = talk(MOUNT, {"type": "event", "name": "leave", "params": {}, "ref": 5})
    assert reply == {"type": "redirect", "url": "/products/7/", "ref": 5}


def test_login_required_and_check_permissions_guard_the_page_and_the_socket() -> None:
    response = Client().get("/members/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/members/")
    assert Client().get("/nobody/").status_code == 403
    for view in ("MembersOnly", "NobodyAllowed"):
        (reply,) = talk({"type": "mount", "view": f"djust_test_views.{view}", "url": "/"})
        assert reply["type"] == "error" and "needs a signed-in user with permission" in reply["message"]
