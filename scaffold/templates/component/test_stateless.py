"""Tests of [[class]]: rendered from its props by djust's template engine."""

from [[module]] import [[class]]


def test_renders_its_props_escaped() -> None:
    html = [[class]](label="<New>").render()
    assert '<span class="[[css]]">&lt;New&gt;</span>' in html
