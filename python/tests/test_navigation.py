"""Live navigation (issue 21, point 1): ``handle_params`` on mount and on each patch,
``live_patch`` and ``live_redirect`` from handlers, the client's ``navigate`` message
(links and back/forward), ``live_session`` groups and their route map, and the
security rule: a client may only patch the query of the mounted path; anything else
mounts through a page token the server issues, with the mount's own checks. Through
the test client and over the real consumer. The browser side is
client/test/navigation.test.mjs and the Chromium test of the example's catalog."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from djust_test_views import Counter, LiveA, Paged
from livepage import Page

from djust import mount as socket_mount
from djust import navigation
from djust.consumer import LiveViewConsumer
from djust.testing import LiveViewTestClient


def test_handle_params_runs_after_mount_with_the_urls_query_and_kwargs() -> None:
    client = LiveViewTestClient(Paged, path="/paged/7/?page=3&tag=a&tag=b&pk=99", pk=7)
    params, uri = client.view.seen[0]
    assert params == {"pk": 7, "page": "3", "tag": ["a", "b"]}  # the path's pk wins
    assert uri == "http://testserver/paged/7/?page=3&tag=a&tag=b&pk=99"
    assert client.state["page"] == 3


def test_live_patch_changes_the_url_and_runs_handle_params_without_a_mount() -> None:
    client = LiveViewTestClient(Paged, path="/paged/?page=2")
    view = client.view
    reply = client.event("next_page")
    assert reply["type"] == "patch" and reply["url"] == "/paged/?page=3" and reply["replace"] is False
    client.assert_patched(text="page 3")
    assert client.view is view and client.url == "/paged/?page=3"
    assert view.seen[-1] == ({"page": "3"}, "http://testserver/paged/?page=3")
    reply = client.event("sort_by", value="price")
    assert reply["url"] == "/paged/?page=1&sort=price" and reply["replace"] is True
    reply = client.event("next_page")
    assert reply["url"] == "/paged/?page=2&sort=price"


def test_live_patch_to_another_views_path_fails_at_the_call() -> None:
    client = LiveViewTestClient(Paged, path="/paged/")
    with pytest.raises(ValueError, match="not served by Paged; use live_redirect"):
        client.event("patch_elsewhere")


def test_a_handle_params_that_keeps_patching_is_stopped() -> None:
    client = LiveViewTestClient(Paged, path="/paged/")
    with pytest.raises(RuntimeError, match="handle_params called live_patch 8 times"):
        client.event("loop")


def test_live_redirect_navigates_within_the_live_session_and_loads_pages_across() -> None:
    client = LiveViewTestClient(Paged, path="/paged/")
    reply = client.event("to_counter")
    assert reply["type"] == "navigate" and reply["url"] == "/counter/?from=paged"
    # The token mounts what that URL serves, for this browser.
    assert socket_mount.read(reply["session"]).view == socket_mount.class_path(Counter)
    client.event("to_other_session")
    client.assert_redirect("/live/b/")


def test_the_clients_navigate_patches_only_the_query_of_the_mounted_path() -> None:
    client = LiveViewTestClient(Paged, path="/paged/")
    reply = client.navigate("/paged/?page=9&sort=name")
    assert reply["type"] == "patch" and reply["url"] == "/paged/?page=9&sort=name"
    assert client.state["page"] == 9 and client.state["sort"] == "name"
    # Another path of the same view, or navigate mode: a new mount with its own checks.
    for url, mode in [("/paged/7/", "patch"), ("/paged/?page=1", "navigate"), ("/counter/", "patch")]:
        reply = client.navigate(url, mode)
        assert reply["type"] == "navigate" and reply["url"] == url, (url, mode, reply)
    assert socket_mount.read(client.navigate("/paged/7/")["session"]).view == socket_mount.class_path(Paged)
    assert client.state["page"] == 9, "a navigation does not touch the mounted view"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/live/a/", {"type": "redirect", "url": "/live/a/"}),  # another live_session
        ("/", {"type": "redirect", "url": "/"}),  # not a LiveView
        ("/no/such/page/", {"type": "redirect", "url": "/no/such/page/"}),
    ],
)
def test_urls_outside_the_live_session_load_as_pages(url: str, expected: dict[str, Any]) -> None:
    client = LiveViewTestClient(Paged, path="/paged/")
    assert client.navigate(url, "navigate") == expected


@pytest.mark.parametrize("url", ["//evil.example/", "https://evil.example/", "paged", 7, "/x" * 2000])
def test_urls_that_are_not_paths_of_this_site_are_refused(url: Any) -> None:
    client = LiveViewTestClient(Paged, path="/paged/")
    client.navigate(url)
    client.assert_error("bad_request")


def test_live_session_views_navigate_among_themselves() -> None:
    client = LiveViewTestClient(LiveA, path="/live/a/")
    reply = client.navigate("/live/b/", "navigate")
    assert reply["type"] == "navigate"
    assert client.navigate("/paged/", "navigate") == {"type": "redirect", "url": "/paged/"}


def test_the_route_maps_are_javascript_regexes_of_each_sessions_liveviews() -> None:
    default = navigation.routes(navigation.DEFAULT_SESSION)
    assert "^/paged/$" in default and "^/paged/(?<pk>[0-9]+)/$" in default and "^/counter/$" in default
    assert not any("live/" in r for r in default)
    assert navigation.routes("live/") == ["^/live/a/$", "^/live/b/$"]
    for source in default:
        assert "(?P<" not in source and "\\Z" not in source
        re.compile(source.replace("(?<", "(?P<"))
    assert LiveViewTestClient(LiveA, path="/live/a/").reply["routes"] == ["^/live/a/$", "^/live/b/$"]


# -- over the real consumer -----------------------------------------------------------


def test_over_the_socket_navigation_patches_navigates_and_mounts_with_the_issued_token() -> None:
    async def run() -> None:
        page = Page("/paged/?page=2")
        communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=page.headers())
        assert (await communicator.connect())[0]

        async def send(message: dict[str, Any]) -> dict[str, Any]:
            await communicator.send_json_to(message)
            return json.loads((await communicator.receive_output(timeout=5))["text"])

        mounted = await send(page.mount())
        assert mounted["type"] == "mounted" and "^/paged/$" in mounted["routes"]
        patched = await send({"type": "navigate", "url": "/paged/?page=5", "mode": "patch", "ref": 2})
        assert patched["type"] == "patch" and patched["url"] == "/paged/?page=5" and patched["ref"] == 2
        assert [p["text"] for p in patched["patches"] if p["op"] == "text"] == ["page 5"]
        away = await send({"type": "navigate", "url": "/counter/", "mode": "navigate", "ref": 3})
        assert away["type"] == "navigate"
        # The mount the navigation asked for is not charged to the mount rate (burst 1).
        again = await send({"type": "mount", "url": "/counter/", "session": away["session"], "ref": 4})
        assert again["type"] == "mounted" and 'class="count"' in again["html"]
        event = await send({"type": "event", "name": "inc", "params": {}, "ref": 5})
        assert event["type"] == "patch"
        # A second mount with a page's token is: the page-load rate still applies.
        refused = await send({**page.mount(), "ref": 6})
        assert refused["type"] == "error" and refused["code"] == "rate_limited"
        await communicator.disconnect()

    with override_settings(DJUST={"MOUNT_RATE_LIMIT": {"rate": 0.01, "burst": 1}}):
        asyncio.run(run())


def test_a_failing_handle_params_leaves_the_url_as_it_was() -> None:
    """Regression: the URL was set before ``handle_params`` ran, so a patch that failed
    left the view on a URL the browser never showed (every later patch built on it)."""
    client = LiveViewTestClient(Paged, path="/paged/?page=2")
    with pytest.raises(ValueError):
        client.navigate("/paged/?page=not-a-number")
    assert client.url == "/paged/?page=2"
    reply = client.event("next_page")
    assert reply["url"] == "/paged/?page=3"
