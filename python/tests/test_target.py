"""``dj-target`` (issue 21, point 7): an event from an element with
``dj-target="#results"`` is answered with patches of that element's children only; the
page's other changes arrive with the next reply, so the browser always ends as the
server rendered. The diff itself: runtime/tests/vdom_diff.rs
``a_scoped_diff_patches_only_the_target_and_the_next_diff_brings_the_rest``."""

from __future__ import annotations

import re

from djust_test_views import Scoped

from djust.session import scope_of
from djust.testing import LiveViewTestClient


def ids_inside_results(html: str) -> set[str]:
    section = re.search(r'<ul dj-id="(\w+)" id="results">(.*?)</ul>', html)
    assert section
    return {section.group(1), *re.findall(r'dj-id="(\w+)"', section.group(2))}


def addressed(patch: dict) -> str:
    return patch.get("t") or patch["p"]


def test_a_targeted_event_patches_only_the_target_then_the_rest_follows() -> None:
    client = LiveViewTestClient(Scoped)
    before = client.html
    reply = client.targeted_event("results", "add_item", value="z")
    inside = ids_inside_results(before)
    assert reply["patches"] and all(addressed(p) in inside for p in reply["patches"]), reply["patches"]
    assert any(p["op"] == "insert" and ">z<" in p["html"] for p in reply["patches"])
    # The count changed on the server, but the browser's page (client.html) still
    # shows the old one: it is outside the target.
    assert '<span dj-id="2" class="count">0</span>' in client.html
    assert ">z</li>" in client.html
    # dec: the server's count is 0 again, which is what the browser shows: nothing to
    # patch there. The next change arrives.
    client.event("dec")
    assert '<span dj-id="2" class="count">0</span>' in client.html
    client.event("inc", step="5")
    client.assert_patched(op="text", text="5")
    assert '<span dj-id="2" class="count">5</span>' in client.html


def test_the_count_that_waited_arrives_with_the_next_reply() -> None:
    client = LiveViewTestClient(Scoped)
    client.targeted_event("results", "add_item", value="z")
    client.event("scroll")  # a handler that changes nothing: the waiting count arrives
    assert [p["text"] for p in client.patches if p["op"] == "text"] == ["1"]
    assert '<span dj-id="2" class="count">1</span>' in client.html


def test_a_target_that_is_not_an_element_id_diffs_the_whole_root() -> None:
    client = LiveViewTestClient(Scoped)
    client.targeted_event("nowhere", "add_item", value="z")
    client.assert_patched(op="text", text="1")
    assert scope_of("#results") == "results" and scope_of("results") == "results"
    for bad in ("#", "", None, 7, "a b", "x>y", "#x" * 100):
        assert scope_of(bad) is None, bad
