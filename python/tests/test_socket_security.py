"""Attacks on the LiveView socket, against the real consumer in-process (Channels'
``WebsocketCommunicator``): foreign origins, mounts the page's URL does not serve,
forged and foreign page tokens, bad frames, oversized messages, floods, values that do
not fit their ``dj-model`` field. Each test failed before issue 16's fix. The same
attacks over a real server (Daphne, real WebSockets) are ``tests/security``."""

from __future__ import annotations

import json
import logging
import sys
import time
from unittest import mock

import pytest
from django.core import signing
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, override_settings
from livepage import ORIGIN, Page, handshake

from djust import origin as origins
from djust.conf import RateLimit
from djust.ratelimit import TokenBucket

# -- 1. origins ---------------------------------------------------------------------


def test_a_foreign_origin_cannot_open_a_socket_even_with_the_victims_cookies() -> None:
    page = Page("/counter/")
    assert handshake(page.headers(origin=ORIGIN))
    assert not handshake(page.headers(origin="https://attacker.example"))
    assert not handshake(page.headers(origin=None))  # no Origin: no browser sent it
    assert not handshake(page.headers(origin="null"))  # sandboxed iframes, file://


@override_settings(ALLOWED_HOSTS=["*"])
def test_allowed_hosts_star_allows_every_host_but_not_every_origin() -> None:
    page = Page("/counter/")
    assert handshake(page.headers(origin="http://testserver"))
    assert not handshake(page.headers(origin="https://attacker.example"))


@pytest.mark.parametrize(
    ("origin", "own", "expected"),
    [
        ("http://testserver", "http://testserver", True),  # the socket's own origin
        ("https://testserver", "http://testserver", True),  # host listed in ALLOWED_HOSTS
        ("http://testserver:8443", None, True),  # ALLOWED_HOSTS ignores the port (Channels)
        ("https://app.example.com", None, True),  # CSRF_TRUSTED_ORIGINS, exact
        ("https://a.trusted.example", None, True),  # CSRF_TRUSTED_ORIGINS, wildcard
        ("http://a.trusted.example", None, False),  # wildcard is per scheme
        ("https://trusted.example.evil", None, False),
        ("https://attacker.example", "http://testserver", False),
        ("https://testserver.attacker.example", None, False),
        ("http://localhost", None, False),  # not in ALLOWED_HOSTS (DEBUG is off)
        ("javascript:alert(1)", None, False),
        ("http://[::1", None, False),  # malformed
        ("http://testserver:99999", None, False),  # bad port
    ],
)
@override_settings(
    ALLOWED_HOSTS=["testserver", "*"],
    CSRF_TRUSTED_ORIGINS=["https://app.example.com", "https://*.trusted.example"],
)
def test_the_origin_rule(origin: str, own: str | None, expected: bool) -> None:
    # The rule is tested on the check itself: nothing is contacted.
    assert origins.allowed(origin, own) is expected


@override_settings(DEBUG=True, ALLOWED_HOSTS=[])
def test_debug_with_no_allowed_hosts_allows_localhost_as_django_does() -> None:
    assert origins.allowed("http://localhost:5173", None)
    assert origins.allowed("http://127.0.0.1:8000", None)
    assert not origins.allowed("http://attacker.example", None)


# -- 2. mounts are bound to the page's URL and token ---------------------------------


def test_a_mount_imports_nothing_the_client_names() -> None:
    sys.modules.pop("this", None)
    page = Page("/counter/")
    (reply,) = page.talk({"type": "mount", "view": "this.s", "url": "/counter/"})
    assert reply["type"] == "error" and reply["code"] == "stale"
    assert "this" not in sys.modules  # `import this` prints the Zen: it never ran
    (reply,) = page.talk(page.mount(view="this.s"))
    assert reply["type"] == "mounted" and "this" not in sys.modules


def test_a_view_behind_a_decorator_is_not_mounted_for_an_anonymous_client() -> None:
    # /staff/ is user_passes_test(is_staff)(StaffSecret.as_view()): the decorator runs
    # on the socket too, so the anonymous client is sent to log in, and the secret
    # stays on the server.
    page = Page("/counter/")
    (reply,) = page.talk(page.mount(url="/staff/"))
    assert reply == {"type": "redirect", "url": "/login/?next=/staff/", "ref": 1}
    assert "secret" not in json.dumps(reply)
    assert Client().get("/staff/").status_code == 302


def test_a_mount_needs_a_url_that_serves_a_liveview() -> None:
    page = Page("/counter/")
    plain, missing, bad, far = page.talk(
        page.mount(url="/plain/"),
        page.mount(url="/no/such/page/"),
        page.mount(url="//attacker.example/counter/"),
        page.mount(url=None),
    )
    assert (plain["code"], missing["code"]) == ("not_found", "not_found")
    assert bad["code"] == "bad_request" and far["code"] == "bad_request"


def test_forged_expired_and_foreign_tokens_are_stale() -> None:
    page = Page("/counter/")
    forged = signing.dumps({"v": "djust_test_views.Counter", "c": ""}, salt="djust.mount", key="not-the-secret-key")
    other_view = signing.dumps({"v": "djust_test_views.Typed", "c": ""}, salt="djust.mount")
    replies = page.talk(
        page.mount(session=forged),
        page.mount(session=page.token + "x"),
        page.mount(session=other_view),
        page.mount(session=12),
    )
    assert [r["code"] for r in replies] == ["stale"] * 4
    with mock.patch("time.time", return_value=time.time() - 3600):
        old = signing.dumps({"v": "djust_test_views.Counter", "c": ""}, salt="djust.mount")
    with override_settings(DJUST={"SESSION_MAX_AGE": 60}):
        (expired,) = page.talk(page.mount(session=old))
    assert expired["code"] == "stale" and "expired" in expired["message"]


def test_a_token_from_one_browser_does_not_mount_with_another_browsers_cookies() -> None:
    victim, attacker = Page("/form/"), Page("/form/")
    assert victim.cookie_header() != attacker.cookie_header()
    # The attacker's own page token with the victim's cookies (what a cross-site page
    # could send if the origin check were off): refused.
    (reply,) = victim.talk(attacker.mount())
    assert reply["code"] == "stale" and "another browser session" in reply["message"]
    (reply,) = victim.talk(victim.mount())
    assert reply["type"] == "mounted"


def test_the_mounted_html_carries_a_csrf_token_only_for_the_browser_that_loaded_the_page() -> None:
    page = Page("/form/")
    (mounted,) = page.talk(page.mount())
    (token,) = [part.split('"')[0] for part in mounted["html"].split('name="csrfmiddlewaretoken" value="')[1:]]
    assert _unmask_cipher_token(token) == page.client.cookies["csrftoken"].value
    # Without the page's token nothing is rendered at all.
    (refused,) = page.talk(page.mount(session=None))
    assert refused["code"] == "stale" and "html" not in refused


# -- 6, 7. frames, sizes, floods: the socket stays open ------------------------------


def test_bad_frames_get_an_error_reply_and_the_view_keeps_working() -> None:
    page = Page("/counter/")
    inc = {"type": "event", "name": "inc", "params": {}}
    replies = page.talk(
        page.mount(),
        "not json",
        b"\x00\x01binary",
        '{"type": "event", "name": "inc", "params": {"step": ' + "9" * 5000 + "}}",
        "[" * 1000 + "]" * 1000,
        '{"type": "event", "name": "inc", "params": {"step": NaN}}',
        "[1, 2]",
        '{"type": "nope", "ref": 7}',
        inc,
    )
    assert [r.get("code") for r in replies[1:-1]] == ["bad_frame"] * 7
    assert replies[7]["ref"] == 7
    assert replies[-1]["type"] == "patch" and replies[-1]["v"] == 2


def test_a_message_over_the_size_limit_is_refused_unread() -> None:
    page = Page("/counter/")
    big = json.dumps({"type": "event", "name": "add", "params": {"value": "x" * 70_000}})
    _, refused, fine = page.talk(page.mount(), big, {"type": "event", "name": "add", "params": {"value": "ok"}})
    assert refused["code"] == "too_large" and "65536" in refused["message"]
    assert fine["type"] == "patch"
    with override_settings(DJUST={"MAX_MESSAGE_SIZE": 100}):
        small = json.dumps({"type": "event", "name": "add", "params": {"value": "é" * 60}})  # 120 bytes
        _, refused = page.talk(page.mount(), small)
    assert refused["code"] == "too_large"


@override_settings(DJUST={"EVENT_RATE_LIMIT": {"rate": 1, "burst": 10}})
def test_events_over_the_rate_limit_are_refused_without_running(caplog) -> None:
    page = Page("/counter/")
    inc = {"type": "event", "name": "inc", "params": {}}
    with caplog.at_level(logging.WARNING, logger="djust"):
        replies = page.talk(page.mount(), *[inc] * 30)
    kinds = [r["type"] if r["type"] != "error" else r["code"] for r in replies[1:]]
    assert kinds[:10] == ["patch"] * 10
    assert kinds.count("rate_limited") >= 19 and kinds.count("patch") <= 11
    ran = [r for r in replies if r["type"] == "patch"]
    assert ran[-1]["v"] == len(ran) + 1  # refused events did not re-render
    # One log line per refused event, no traceback.
    refused = [r for r in caplog.records if "rate_limited" in r.getMessage()]
    assert len(refused) == kinds.count("rate_limited") and all(r.exc_info is None for r in refused)


@override_settings(DJUST={"MOUNT_RATE_LIMIT": {"rate": 0.01, "burst": 2}})
def test_mounts_over_the_rate_limit_are_refused() -> None:
    page = Page("/counter/")
    replies = page.talk(page.mount(), page.mount(), page.mount())
    assert [r["type"] for r in replies[:2]] == ["mounted", "mounted"]
    assert replies[2]["code"] == "rate_limited"


def test_the_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(RateLimit(rate=2.0, burst=3), clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 0.5  # one token back
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] = 100.0  # never more than the burst
    assert sum(bucket.take() for _ in range(10)) == 3


def test_a_deep_param_is_one_log_line_outside_debug(caplog) -> None:
    page = Page("/counter/")
    deep = "[" * 400 + "]" * 400
    message = '{"type": "event", "name": "add", "params": {"value": ' + deep + "}}"
    assert len(message) < 900
    with caplog.at_level(logging.INFO, logger="djust"):
        replies = page.talk(page.mount(), message, message)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert len(text) < 2000, f"{len(text)} characters logged"
    assert all(r.exc_info is None for r in caplog.records)
    assert replies[-1]["type"] in ("patch", "error")


def test_bad_settings_are_refused_with_the_key() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from djust import conf

    for bad in (
        {"MAX_MESSAGE_SIZE": 0},
        {"EVENT_RATE_LIMIT": {"rate": 1}},
        {"NOPE": 1},
        {"SESSION_MAX_AGE": "1"},
        {"MAX_ASYNC_TASKS": -1},
        {"STATE_BACKEND": "disk"},
        {"STATE_REDIS_URL": "http://127.0.0.1:6379"},
        {"STATE_TTL": 0},
        {"STATE_MAX_ENTRIES": "many"},
        {"STATE_ENCODER": "json.dumps"},
        {"PRESENCE_HEARTBEAT": 0},
        {"MAX_GROUPS_PER_CONNECTION": 0},
    ):
        with override_settings(DJUST=bad), pytest.raises(ImproperlyConfigured) as err:
            conf.validate()
        assert next(iter(bad)) in str(err.value)
    with override_settings(DJUST={"EVENT_RATE_LIMIT": None}):
        assert conf.rate_limit("EVENT_RATE_LIMIT") is None


# -- 9. dj-model values are converted or refused -------------------------------------


def test_dj_model_converts_to_the_fields_type_or_refuses() -> None:
    page = Page("/typed/")

    def model(field: str, value: object) -> dict:
        return {"type": "model", "field": field, "value": value}

    replies = page.talk(
        page.mount(),
        model("count", {"a": 1}),  # a dict into an int: refused
        model("count", "41"),  # text an <input> holds: converted
        {"type": "event", "name": "bump", "params": {}},  # the handler still adds
        model("count", "4x"),
        model("agree", "on"),
        model("agree", [1]),
        model("ratio", "NaN"),
        model("ratio", "2.5"),
        model("name", 7),
        model("tags", ["b", "c"]),
        model("price", "9.99"),  # annotated Decimal | None, currently None
        model("price", "abc"),
        model("note", {"x": 1}),
    )
    codes = [r.get("code", r["type"]) for r in replies[1:]]
    assert codes == [
        "invalid",
        "patch",
        "patch",
        "invalid",
        "patch",
        "invalid",
        "invalid",
        "patch",
        "patch",
        "patch",
        "patch",
        "invalid",
        "invalid",
    ], replies
    assert "count takes int, not dict" in replies[1]["message"]
    texts = [p.get("text") for p in replies[3]["patches"] if p["op"] == "text"]
    assert texts == ["42"]
