"""What a developer sees when something fails (issue 21, point 8): with DEBUG the error
reply carries the traceback (the client shows it in an overlay, client/test/
overlay.test.mjs); without DEBUG a generic message and nothing of the traceback; and
an unknown handler, a URL that serves no LiveView and a failed mount are each one log
line naming the view and the event or URL. Over the real consumer."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory, override_settings
from djust_test_views import BrokenMount
from livepage import Page

from djust import mount as socket_mount


def broken_mount(page: Page) -> dict:
    """A mount of /broken/ with a valid token for it, from ``page``'s browser."""
    request = RequestFactory().get("/broken/")
    cookie = page.client.cookies.get("csrftoken")
    if cookie is not None:
        request.META["CSRF_COOKIE"] = cookie.value
    return {"type": "mount", "url": "/broken/", "session": socket_mount.issue(request, BrokenMount), "ref": 1}


def records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "djust"]


@pytest.mark.parametrize("debug", [True, False])
def test_a_handler_error_carries_the_traceback_only_with_debug(debug: bool, caplog: pytest.LogCaptureFixture) -> None:
    page = Page("/worker-default/")
    with override_settings(DEBUG=debug), caplog.at_level(logging.INFO, logger="djust"):
        _, failed = page.talk(page.mount(), {"type": "event", "name": "boom", "params": {}, "ref": 2})
    assert failed["type"] == "error" and failed["code"] == "server_error"
    if debug:
        assert failed["message"] == "secret detail"
        assert "Traceback (most recent call last)" in failed["traceback"] and "RuntimeError" in failed["traceback"]
    else:
        assert failed["message"] == "The server could not handle this event." and "traceback" not in failed
        assert "secret detail" not in str(failed)
    assert any("event 'boom' on WorkerDefault raised RuntimeError" in line for line in records(caplog)), records(caplog)


def test_an_unknown_handler_is_logged_with_the_view_and_the_event(caplog: pytest.LogCaptureFixture) -> None:
    page = Page("/counter/")
    with caplog.at_level(logging.INFO, logger="djust"):
        _, refused = page.talk(page.mount(), {"type": "event", "name": "no_such_handler", "params": {}})
    assert refused["code"] == "invalid"
    assert any(
        "event 'no_such_handler' on Counter (invalid)" in line and "no event handler" in line
        for line in records(caplog)
    ), records(caplog)


def test_a_url_that_serves_no_liveview_is_logged_with_the_url(caplog: pytest.LogCaptureFixture) -> None:
    page = Page("/counter/")
    with caplog.at_level(logging.INFO, logger="djust"):
        (refused,) = page.talk({**page.mount(), "url": "/products/7/"})
    assert refused["type"] == "error"
    assert any("mount '/products/7/' on no LiveView" in line for line in records(caplog)), records(caplog)


@pytest.mark.parametrize("debug", [True, False])
def test_a_failed_mount_is_logged_with_the_url_and_the_view(debug: bool, caplog: pytest.LogCaptureFixture) -> None:
    page = Page("/counter/")
    with override_settings(DEBUG=debug), caplog.at_level(logging.INFO, logger="djust"):
        (failed,) = page.talk(broken_mount(page))
    assert failed["type"] == "error" and failed["code"] == "server_error"
    assert ("traceback" in failed) is debug
    assert debug or failed["message"] == "The server could not handle this event."
    assert any("mount '/broken/' on BrokenMount raised RuntimeError" in line for line in records(caplog)), records(
        caplog
    )
