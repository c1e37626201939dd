"""Tests of the home page: djust.testing mounts the LiveView as the WebSocket does,
without a browser or a server."""

from djust.testing import LiveViewTestClient

from [[project]].views import HomeView


def test_the_page_is_served_with_the_liveview_root(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b'dj-view="[[project]].views.HomeView"' in response.content


def test_a_click_increments_the_count_and_patches_the_page() -> None:
    client = LiveViewTestClient(HomeView)
    assert client.state["count"] == 0
    client.event("increment")
    assert client.state["count"] == 1
    client.assert_patched(text="1")
