"""Tests of [[class]]: djust.testing mounts the component in a minimal LiveView."""

from djust.testing import LiveComponentTestClient

from [[module]] import [[class]]


def test_increment_updates_the_component_and_patches_it() -> None:
    client = LiveComponentTestClient([[class]])
    assert client.component.count == 0
    client.event("increment")
    assert client.component.count == 1
    client.assert_patched(text="1")
