"""LiveViews over a real Channels consumer (``channels.testing.WebsocketCommunicator``):
mount (through the page's token and URL), events with ``value``/``data-*`` params,
patches back, errors as messages, state validation. The attacks on the socket are in
``test_socket_security.py``; the browser-driven test is ``tests/browser``."""

import gzip
import json
import logging
import re

import pytest
from django.test import Client, override_settings
from livepage import Page

import djust
from djust import state
from djust.state import serializable


def counter() -> Page:
    return Page("/counter/")


def test_mount_then_events_send_patches() -> None:
    page = counter()
    mounted, inc, dec, add = page.talk(
        page.mount(),
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
    page = counter()
    _, reply = page.talk(page.mount(), {"type": "event", "name": "not_a_handler", "params": {}})
    assert reply["type"] == "error" and reply["code"] == "invalid"
    assert "no event handler 'not_a_handler'" in reply["message"]


def test_events_need_a_mount_first() -> None:
    (reply,) = counter().talk({"type": "event", "name": "inc"})
    assert reply == {"type": "error", "code": "bad_request", "message": "event before mount"}


@pytest.mark.parametrize("debug", [False, True])
def test_handler_errors_do_not_leak_tracebacks_unless_debug(debug: bool, caplog) -> None:
    page = counter()
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR, logger="djust"):
        _, reply, after = page.talk(
            page.mount(),
            {"type": "event", "name": "boom", "params": {}},
            {"type": "event", "name": "inc", "params": {}},
        )
    assert reply["type"] == "error" and reply["code"] == "server_error"
    if debug:
        assert "secret detail" in reply["message"] and "RuntimeError" in reply["traceback"]
    else:
        assert "secret detail" not in json.dumps(reply) and "traceback" not in reply
        # One line in the log, no traceback.
        (record,) = caplog.records
        assert record.exc_info is None and "\n" not in record.getMessage()
    assert "secret detail" in caplog.text  # logged on the server either way
    assert after["type"] == "patch"  # the socket stays open and the view keeps working


def test_the_page_is_served_over_http_with_its_token_on_the_root() -> None:
    response = Client().get("/counter/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<main dj-session="[A-Za-z0-9_:\-]+" dj-root dj-view="djust_test_views.Counter">', html)
    assert html.count("dj-session=") == 1
    assert '<span class="count">0</span>' in html
    assert "csrftoken" in response.cookies  # the token is bound to it


def test_non_serialisable_state_raises_in_debug_and_is_dropped_otherwise(caplog) -> None:
    page = Page("/lock/")
    with override_settings(DEBUG=True):
        (reply,) = page.talk(page.mount())
    assert reply["type"] == "error"
    # The path names the lock inside the dict, not the dict.
    assert "LockInDict.resources['lock'] is a _thread.lock" in reply["message"]
    # The advice is V006's (a helper method or a property), never a private attribute,
    # which V006 flags (test_the_runtime_advice_is_what_v006_accepts).
    assert "`@property def resources(self): return ...`" in reply["message"]
    assert "self._" not in reply["message"] and "https://" in reply["message"]
    with override_settings(DEBUG=False), caplog.at_level(logging.WARNING, logger="djust"):
        (reply,) = page.talk(page.mount())
    assert reply["type"] == "mounted"
    assert "LockInDict.resources['lock']" in caplog.text


def test_the_runtime_advice_is_what_v006_accepts(tmp_path) -> None:
    """The state error's advice (a property) passes ``djust check``; the advice it once
    gave (a private attribute set in mount) is V006 (regression: the two disagreed)."""
    view = """from djust import LiveView
from shop.clients import StripeClient


class BillingView(LiveView):
    template_name = "billing.html"

{body}
"""
    advised = """    @property
    def stripe(self):
        return StripeClient()

    def mount(self, request, **kwargs):
        self.invoices = self.stripe.invoices()
"""
    private = """    def mount(self, request, **kwargs):
        self._stripe = StripeClient()
"""
    found = {}
    for name, body in (("advised", advised), ("private", private)):
        project = tmp_path / name
        (project / "shop").mkdir(parents=True)
        (project / "shop" / "__init__.py").write_text("")
        (project / "shop" / "views.py").write_text(view.format(body=body))
        found[name] = [f["code"] for f in djust.check(["shop"], cwd=project) if f["code"] == "V006"]
    assert found == {"advised": [], "private": ["V006"]}


@pytest.mark.parametrize("debug", [True, False])
def test_a_reference_cycle_in_state_is_a_clear_error_not_a_recursion_error(debug: bool, caplog) -> None:
    state._warned.clear()  # warnings are once per process; start afresh
    touch = {"type": "event", "name": "touch", "params": {}}
    with override_settings(DEBUG=debug), caplog.at_level(logging.WARNING, logger="djust"):
        page = Page("/cycle/") if not debug else None
        if debug:
            with override_settings(DEBUG=False):
                page = Page("/cycle/")
            caplog.clear()
        replies = page.talk(page.mount(), touch, touch, touch)
    assert "RecursionError" not in caplog.text and all("Recursion" not in str(r) for r in replies)
    if debug:
        assert replies[0]["type"] == "error"
        assert "WithCycle.tree['children'][0] refers back to tree (a reference cycle)" in replies[0]["message"]
    else:
        assert [r["type"] for r in replies] == ["mounted", "patch", "patch", "patch"]
        warnings = [r for r in caplog.records if "WithCycle.tree" in r.getMessage()]
        assert len(warnings) == 1, "the warning is given once, not on every event"


def test_what_counts_as_serialisable() -> None:
    import datetime
    import decimal
    import threading
    import uuid

    shared = [1, 2]
    deep: list = []
    for _ in range(200):
        deep = [deep]
    ok = [
        None,
        "s",
        1,
        1.5,
        True,
        [1, {"a": (2, 3)}],
        datetime.date(2026, 1, 1),
        decimal.Decimal("1.5"),
        uuid.uuid4(),
        [shared, shared],  # shared, not cyclic
        deep,
    ]
    assert all(serializable(v) for v in ok)
    cyclic: list = [1]
    cyclic.append(cyclic)
    too_deep: list = []
    for _ in range(100_000):
        too_deep = [too_deep]
    bad = [threading.Lock(), {"client": threading.Lock()}, [object()], open, cyclic, too_deep, {(1, 2): 3}]
    assert not any(serializable(v) for v in bad)


def test_mount_takes_the_urls_kwargs_and_sends_handler_defaults() -> None:
    page = Page("/counter/Stock/?x=1")
    (mounted,) = page.talk(page.mount())
    assert "<h1 dj-id=" in mounted["html"] and ">Stock</h1>" in mounted["html"]
    assert mounted["handlers"] == {"search": {"debounce": 250}, "scroll": {"throttle": 100}}
    # `kwargs` from the client are ignored: the URL decides.
    (given,) = page.talk(page.mount(kwargs={"title": "Given"}))
    assert ">Stock</h1>" in given["html"] and "Given" not in given["html"]


def test_dj_model_sets_only_fields_the_page_binds() -> None:
    page = counter()
    _, model, unbound, private, hidden = page.talk(
        page.mount(),
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
    # The size bound of issue 21 (client/test/bundle.test.mjs checks the same).
    assert len(gzip.compress(source, 9)) < 15 * 1024
    assert b"dj-view" in source and b"/ws/djust/" in source and b"dj-hook" in source


def test_the_page_loads_the_client_once() -> None:
    html = Client().get("/counter/").content.decode()
    assert html.count('<script src="/static/djust/client.js" defer></script></body>') == 1


def test_a_handler_can_redirect() -> None:
    page = counter()
    _, reply = page.talk(page.mount(), {"type": "event", "name": "leave", "params": {}, "ref": 5})
    assert reply == {"type": "redirect", "url": "/products/7/", "ref": 5}


def test_login_required_and_check_permissions_guard_the_page_and_the_socket() -> None:
    response = Client().get("/members/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/members/")
    assert Client().get("/nobody/").status_code == 403
    # A token from a page this browser may see does not open the others.
    page = counter()
    redirect, forbidden = page.talk(page.mount(url="/members/"), page.mount(url="/nobody/"))
    assert redirect["type"] == "redirect" and redirect["url"].startswith("/accounts/login/?next=/members/")
    assert forbidden["type"] == "error" and forbidden["code"] == "forbidden"
    assert "html" not in redirect and "html" not in forbidden
