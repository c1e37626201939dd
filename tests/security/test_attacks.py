"""Each attack of issue 16 against the example project on a real server (Daphne) over
real WebSockets: the attack is refused with a clear reply, the socket (where it was
accepted) stays open, and the server is still serving afterwards.

Run with ``pytest tests/security`` (``scripts/test.sh`` does)."""

from __future__ import annotations

import json
import re
import time

import pytest
from conftest import STAFF, VICTIM, Server, event, mount
from websockets.exceptions import InvalidStatus


def victim_email(server: Server) -> str:
    return server.django(
        "from django.contrib.auth import get_user_model\n"
        f"print(get_user_model().objects.get(username={VICTIM[0]!r}).email)"
    )


# 1. Cross-site WebSocket hijacking -------------------------------------------------


def test_a_foreign_origin_cannot_act_as_the_signed_in_victim(server: Server) -> None:
    victim = server.browser()
    victim.login(VICTIM[0], VICTIM[1])
    token = victim.page("/accounts/profile/")
    for origin in ("https://attacker.example", "http://127.0.0.1.attacker.example", None, "null"):
        with pytest.raises(InvalidStatus) as refused:
            victim.socket(origin=origin)
        assert refused.value.response.status_code == 403, origin
    assert victim_email(server) == VICTIM[2]
    # The same request from the victim's own page works: the check is not in the way.
    with victim.socket() as ws:
        assert ws.ask(mount("/accounts/profile/", token))["type"] == "mounted"
        reply = ws.ask(event("save", first_name="Vic", last_name="Tim", email="vic@example.com", phone=""))
        assert reply["type"] == "patch", reply
    assert victim_email(server) == "vic@example.com"
    server.assert_alive()


def test_the_mount_needs_the_pages_token_from_this_browser(server: Server) -> None:
    victim, attacker = server.browser(), server.browser()
    victim.login(VICTIM[0], VICTIM[1])
    attacker.login(STAFF[0], STAFF[1])
    attackers_token = attacker.page("/accounts/profile/")
    with victim.socket() as ws:
        # No token (what a page that was not served by the site has), a forged one,
        # and a valid one minted for another browser: all stale, nothing rendered.
        for token in (None, "x:y:z", attackers_token):
            reply = ws.ask(mount("/accounts/profile/", token))
            assert reply["type"] == "error" and reply["code"] == "stale", reply
            assert "html" not in reply and "csrfmiddlewaretoken" not in json.dumps(reply)
    server.assert_alive()


# 2. Mounting what the client names --------------------------------------------------


def test_a_mount_never_imports_a_module_the_client_names(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/counter/")
    with visitor.socket() as ws:
        reply = ws.ask({"type": "mount", "view": "this.s", "url": "/counter/"})
        assert reply["code"] == "stale"
        # With the page's token the URL decides; the named module is still not imported.
        assert ws.ask(mount("/counter/", token, view="this.s"))["type"] == "mounted"
    assert "Beautiful is better than ugly" not in server.log()
    server.assert_alive()


def test_a_view_behind_staff_member_required_is_not_mounted_for_an_anonymous_client(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/counter/")
    with visitor.socket() as ws:
        reply = ws.ask(mount("/staff/secret/", token))
        assert reply["type"] == "redirect" and reply["url"].startswith("/admin/login/?next=/staff/secret/")
        assert "secret-7f3a9c" not in json.dumps(reply)
    # A staff member loads the page and mounts it.
    staff = server.browser()
    staff.login(STAFF[0], STAFF[1])
    token = staff.page("/staff/secret/")
    with staff.socket() as ws:
        reply = ws.ask(mount("/staff/secret/", token))
        assert reply["type"] == "mounted" and "secret-7f3a9c" in reply["html"]
    server.assert_alive()


def test_live_navigation_mounts_only_through_the_urls_own_checks(server: Server) -> None:
    """Issue 21: a client's ``navigate`` gets a token for what the URL serves, and the
    mount with it runs the URL's decorators: an anonymous visitor navigating to the
    staff-only view is sent to the login page, and a token for one view does not mount
    another URL's view."""
    visitor = server.browser()
    token = visitor.page("/counter/")
    with visitor.socket() as ws:
        assert ws.ask(mount("/counter/", token))["type"] == "mounted"
        reply = ws.ask({"type": "navigate", "url": "/staff/secret/", "mode": "navigate", "ref": 1})
        assert reply["type"] == "navigate", reply
        staff_token = reply["session"]
        secret = ws.ask(mount("/staff/secret/", staff_token))
        assert secret["type"] == "redirect" and secret["url"].startswith("/admin/login/"), secret
        assert "secret-7f3a9c" not in json.dumps(secret)
        # The token names the staff view: it does not mount the pad either.
        wrong = ws.ask(mount("/pad/", staff_token))
        assert wrong["type"] == "error" and wrong["code"] == "stale", wrong
        # A patch of another path is a navigation, never a patch of the mounted view.
        moved = ws.ask({"type": "navigate", "url": "/pad/", "mode": "patch", "ref": 2})
        assert moved["type"] == "navigate", moved
        assert ws.ask({"type": "navigate", "url": "//evil.example/", "ref": 3})["code"] == "bad_request"
    server.assert_alive()


def test_url_kwargs_come_from_the_url_not_the_client(server: Server) -> None:
    victim = server.browser()
    victim.login(VICTIM[0], VICTIM[1])
    token = victim.page("/support/")
    with victim.socket() as ws:
        # The ticket list ignores a `kwargs` the client sends; a ticket that is not the
        # visitor's is a 404 through the view's own get_object_or_404.
        assert ws.ask(mount("/support/", token, kwargs={"pk": 1}))["type"] == "mounted"
        reply = ws.ask(mount("/support/999/", token))
        assert reply["type"] == "error" and reply["code"] in ("not_found", "stale"), reply
    server.assert_alive()


# 3, 5. Sizes and depths from data ---------------------------------------------------


def test_sizes_and_depths_from_the_client_fail_the_event_not_the_server(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/pad/")
    with visitor.socket() as ws:
        assert ws.ask(mount("/pad/", token))["type"] == "mounted"
        wide = ws.ask({"type": "model", "field": "width", "value": str(10**12)})
        assert wide["type"] == "error" and wide["code"] == "server_error", wide
        assert ws.ask({"type": "model", "field": "width", "value": "7"})["type"] == "patch"
        deep = ws.ask({"type": "model", "field": "depth", "value": "12300"})
        assert deep["type"] == "error" and deep["code"] == "server_error", deep
        assert ws.ask({"type": "model", "field": "depth", "value": "3"})["type"] == "patch"
    log = server.log()
    assert "TemplateSizeError" in log and "RecursionError" in log
    assert "Traceback" not in log  # DEBUG is off: one line each
    server.assert_alive()


# 6. Floods, sizes, logs --------------------------------------------------------------


def test_a_flood_of_events_is_rate_limited(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/counter/")
    with visitor.socket() as ws:
        assert ws.ask(mount("/counter/", token))["type"] == "mounted"
        started = time.monotonic()
        for _ in range(1000):
            ws.send(event("increment"))
        replies = [ws.recv() for _ in range(1000)]
        elapsed = time.monotonic() - started
    ran = sum(r["type"] == "patch" for r in replies)
    limited = sum(r.get("code") == "rate_limited" for r in replies)
    assert ran + limited == 1000
    # burst 40, then 20 per second (security_settings.DJUST)
    assert ran <= 40 + 20 * elapsed + 5, (ran, elapsed)
    assert limited >= 1000 - ran
    server.assert_alive()


@pytest.mark.parametrize(
    "message",
    [
        {"type": "navigate", "url": "/catalog/?category=rope", "mode": "patch"},
        {
            "type": "upload",
            "name": "photos",
            "entries": [{"id": "0", "name": "a.png", "size": 10, "type": "image/png"}],
        },
    ],
    ids=["navigate", "upload"],
)
def test_the_new_message_types_share_the_event_rate_limit(server: Server, message: dict) -> None:
    """Issue 21: live navigation and uploads are limited like events (a page's flood of
    them is refused past the burst, the socket stays)."""
    visitor = server.browser()
    page = "/catalog/" if message["type"] == "navigate" else "/support/returns/"
    token = visitor.page(page)
    with visitor.socket() as ws:
        assert ws.ask(mount(page, token))["type"] == "mounted"
        started = time.monotonic()
        for _ in range(200):
            ws.send(message)
        replies = [ws.recv() for _ in range(200)]
        elapsed = time.monotonic() - started
    served = sum(r["type"] == "patch" for r in replies)
    limited = sum(r.get("code") == "rate_limited" for r in replies)
    assert served + limited == 200, {r.get("code", r["type"]) for r in replies}
    assert served <= 40 + 20 * elapsed + 5, (served, elapsed)
    assert limited >= 100
    server.assert_alive()


def test_one_deep_message_is_one_log_line(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/pad/")
    message = '{"type": "event", "name": "echo", "params": {"value": ' + "[" * 400 + "]" * 400 + "}}"
    assert len(message) < 900
    with visitor.socket() as ws:
        assert ws.ask(mount("/pad/", token))["type"] == "mounted"
        before = len(server.log())
        for _ in range(3):
            assert ws.ask(message)["type"] in ("patch", "error")
        time.sleep(0.2)
        grown = len(server.log()) - before
    assert grown < 3 * 400, f"{grown} bytes of log for three messages"
    server.assert_alive()


def test_an_oversized_message_is_refused_unread(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/counter/")
    with visitor.socket() as ws:
        assert ws.ask(mount("/counter/", token))["type"] == "mounted"
        reply = ws.ask(json.dumps(event("increment", junk="x" * 100_000)))
        assert reply["code"] == "too_large"
        assert ws.ask(event("increment"))["type"] == "patch"
    server.assert_alive()


# 7. Bad frames --------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        b"\x00\xffbinary",
        '{"type": "event", "name": "increment", "params": {"n": ' + "9" * 5000 + "}}",
        "[" * 1000 + "]" * 1000,
        '{"type": "event", "name": "increment", "params": {"n": Infinity}}',
        '"just a string"',
    ],
)
def test_a_bad_frame_gets_an_error_reply_and_the_socket_and_view_stay(server: Server, frame: str | bytes) -> None:
    visitor = server.browser()
    token = visitor.page("/counter/")
    with visitor.socket() as ws:
        assert ws.ask(mount("/counter/", token))["type"] == "mounted"
        first = ws.ask(event("increment"))
        reply = ws.ask(frame)
        assert reply["type"] == "error" and reply["code"] == "bad_frame", reply
        after = ws.ask(event("increment"))
        assert after["type"] == "patch" and after["v"] == first["v"] + 1
    server.assert_alive()


# 8. State that cannot be serialised -------------------------------------------------


def test_a_reference_cycle_in_state_is_dropped_with_one_warning(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/pad/")
    with visitor.socket() as ws:
        assert ws.ask(mount("/pad/", token))["type"] == "mounted"
        replies = [ws.ask(event("make_cycle")) for _ in range(3)]
    assert all(r["type"] == "patch" for r in replies), replies
    log = server.log()
    assert len(re.findall(r"PadView\.items\[1\] refers back to items", log)) == 1, log[-2000:]
    assert "RecursionError" not in log.split("PadView.items")[-1]
    server.assert_alive()


# 9. dj-model values -----------------------------------------------------------------


def test_dj_model_refuses_a_value_that_does_not_fit(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/pad/")
    with visitor.socket() as ws:
        assert ws.ask(mount("/pad/", token))["type"] == "mounted"
        reply = ws.ask({"type": "model", "field": "width", "value": {"a": 1}})
        assert reply["code"] == "invalid" and "width takes int" in reply["message"]
        assert ws.ask({"type": "model", "field": "width", "value": "9"})["type"] == "patch"
    server.assert_alive()


# 10. Context processors --------------------------------------------------------------


def test_the_chat_shows_its_own_messages(server: Server) -> None:
    visitor = server.browser()
    token = visitor.page("/support/chat/")
    with visitor.socket() as ws:
        assert ws.ask(mount("/support/chat/", token))["type"] == "mounted"
        reply = ws.ask(event("send", message="Hello there"))
        assert reply["type"] == "patch"
        assert "Hello there" in json.dumps(reply["patches"])
    server.assert_alive()
