"""Tests of [[class]]: djust.testing mounts the LiveView as the WebSocket does, without
a browser or a server."""

from djust.testing import LiveViewTestClient

from [[module]] import [[class]]


def test_mount_sets_the_initial_state() -> None:
    client = LiveViewTestClient([[class]])
[[state_asserts]]


def test_increment_adds_one_and_patches_the_page() -> None:
    client = LiveViewTestClient([[class]])
    client.event("increment")
    assert client.state["[[counter]]"] == 1
    client.assert_patched(text="1")
[[model_tests]]
