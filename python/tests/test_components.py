"""Components (``djust.components``): ``{% component %}`` renders a stateless
``Component``; ``{% live_component %}`` keeps a ``LiveComponent`` per id on its
LiveView, with its own state, ``mount``/``update``, handlers and ``send_parent``; the
events from inside its root reach it over the socket and in the test client."""

import re

import pytest
from django.test import Client
from djust_test_components import Cart, Shop
from livepage import Page

from djust import components
from djust.components import ComponentError
from djust.template import backend
from djust.testing import LiveComponentTestClient, LiveViewTestClient


def ids_inside(html: str, start: str, end: str) -> set[str]:
    """The dj-ids of the elements from the first ``start`` to the next ``end``."""
    at = html.index(start)
    return set(re.findall(r'dj-id="(\w+)"', html[at : html.index(end, at)]))


def test_live_and_stateless_components_render_inside_the_liveview() -> None:
    client = LiveViewTestClient(Shop)
    html = client.html
    assert re.search(r'<ul dj-id="\w+" dj-component="cart" class="cart">', html), html
    assert len(re.findall(r'dj-click="remove" data-index="\d"', html)) == 3
    assert 'class="owner">ann</li>' in html
    assert re.search(r'<span dj-id="\w+" class="badge">ANN</span>', html)
    assert "dj-component" not in html.split("</ul>")[1]  # the stateless one is not marked
    cart = client.live_component("cart")
    assert isinstance(cart, Cart) and cart.parent is client.view
    assert (cart.items, cart.owner, cart.mounts, cart.updates) == (["apple", "bread", "cheese"], "ann", 1, 0)


def test_a_component_event_runs_its_handler_and_patches_only_its_subtree() -> None:
    client = LiveViewTestClient(Shop)
    inside = ids_inside(client.html, "<ul", "</ul>") | ids_inside(client.html, "<h1", "</h1>")
    reply = client.component_event("cart", "remove", index="0")
    assert reply["type"] == "patch", reply
    assert client.live_component("cart").items == ["bread", "cheese"]
    assert client.state["count"] == 2  # send_parent("cart_changed", count=2)
    assert client.patches
    for patch in client.patches:
        assert patch["p"] in inside, (patch, inside)
    assert "apple" not in client.html and "ann has 2" in client.html


def test_the_parent_keeps_the_component_and_updates_it_only_when_props_change() -> None:
    client = LiveViewTestClient(Shop)
    client.component_event("cart", "remove", index="2")
    client.event("buy")
    client.assert_patched(text="1")
    cart = client.live_component("cart")
    assert (cart.items, cart.mounts, cart.updates) == (["apple", "bread"], 1, 0)
    client.event("rename", value="bob")
    assert client.live_component("cart") is cart
    assert (cart.items, cart.owner, cart.updates) == (["apple", "bread"], "bob", 1)
    assert 'class="owner">bob</li>' in client.html


def test_a_component_the_render_no_longer_reaches_is_dropped() -> None:
    client = LiveViewTestClient(Shop)
    client.event("hide")
    assert components.live_components(client.view) == {}
    client.component_event("cart", "remove", index="0")
    client.assert_error("invalid")
    assert "no live component 'cart'" in client.reply["message"]


def test_component_events_are_checked_like_view_events() -> None:
    client = LiveViewTestClient(Shop)
    client.component_event("cart", "buy")  # the parent's handler, not the component's
    client.assert_error("invalid")
    assert "Cart has no event handler 'buy'" in client.reply["message"]
    client.event("remove", index="0")  # the component's handler, sent to the view
    client.assert_error("invalid")
    assert client.live_component("cart").items == ["apple", "bread", "cheese"]
    with pytest.raises(ComponentError, match="Shop has no @event_handler 'no_such_handler' and no handle_info"):
        client.component_event("cart", "bad_parent_call")


def test_the_page_and_the_socket_route_component_events() -> None:
    response = Client().get("/shop/")
    assert response.status_code == 200
    assert '<ul dj-component="cart" class="cart">' in response.content.decode()
    page = Page("/shop/")
    mounted, patch, view_patch, bad = page.talk(
        page.mount(),
        {"type": "event", "name": "remove", "params": {"index": "1"}, "component": "cart", "ref": 2},
        {"type": "event", "name": "buy", "params": {}, "ref": 3},
        {"type": "event", "name": "remove", "params": {}, "component": ["cart"], "ref": 4},
    )
    assert mounted["type"] == "mounted" and 'dj-component="cart"' in mounted["html"]
    assert patch["type"] == "patch" and patch["ref"] == 2 and patch["patches"], patch
    assert "bread" not in str(patch["patches"]) or any(p["op"] == "remove" for p in patch["patches"])
    assert view_patch["type"] == "patch" and any(p.get("text") == "1" for p in view_patch["patches"])
    assert bad["type"] == "error" and bad["code"] == "bad_request"


def render(source: str, view: object | None = None, **context: object) -> str:
    template = backend().from_string(source)
    if view is None:
        return template.render(context)
    with components.rendering(view):
        return template.render(context)


def test_a_stateless_component_renders_in_any_djust_template() -> None:
    html = render(
        '{% component "djust_test_components.Badge" label=name %}|{% component c label="x" as b %}{{ b }}',
        name="<b>",
        c="djust_test_components.Badge",
    )
    assert html == '<span class="badge">&lt;B&gt;</span>\n|<span class="badge">X</span>\n'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{% live_component "djust_test_components.Cart" %}', 'needs id="…"'),
        ('{% live_component "djust_test_components.Cart" id="" %}', 'needs id="…"'),
        (
            '{% live_component "djust_test_components.Cart" id="a" %}{% live_component "djust_test_components.Cart" id="a" %}',
            "two live components have the id 'a'",
        ),
        ('{% live_component "no_such_module.Cart" id="a" %}', "cannot import 'no_such_module.Cart'"),
        ('{% live_component "djust_test_components.Badge" id="a" %}', "Use {% component %} for it"),
        ('{% component "djust_test_components.Cart" %}', "Use {% live_component %} for it"),
        ('{% live_component "djust_test_components.NoRoot" id="a" %}', "must start with one root element"),
        ("{% live_component %}", "did not receive value(s) for the argument(s): 'component'"),
    ],
)
def test_component_tags_fail_with_a_message_that_says_what_to_do(source: str, message: str) -> None:
    view = Shop()
    with pytest.raises(Exception, match=re.escape(message)):
        render(source, view)


def test_a_live_component_outside_a_liveview_is_an_error() -> None:
    with pytest.raises(ComponentError, match="renders only in a LiveView's template"):
        render('{% live_component "djust_test_components.Cart" id="cart" %}')


def test_a_failed_render_keeps_the_components() -> None:
    view = Shop()
    render('{% live_component "djust_test_components.Cart" id="cart" items=x %}', view, x=[1])
    kept = components.live_components(view)["cart"]
    with pytest.raises(ComponentError):
        render('{% live_component "no_such_module.X" id="other" %}', view)
    assert components.live_components(view) == {"cart": kept}


def test_the_component_test_client_mounts_one_component_and_records_send_parent() -> None:
    client = LiveComponentTestClient(Cart, items=["tea", "milk"], owner="ann")
    assert isinstance(client.component, Cart) and client.component.items == ["tea", "milk"]
    assert 'dj-component="component"' in client.html and "milk" in client.html
    client.event("remove", index="0")
    client.assert_patched(op="remove")
    assert client.component.items == ["milk"]
    assert client.sent_to_parent == [("cart_changed", {"count": 1})]
    client.update(owner="bob")
    client.assert_patched(text="bob")
    assert client.component.updates == 1 and client.component.items == ["milk"]
    with pytest.raises(TypeError, match="only the props given"):
        client.update(colour="red")
    client.event("no_such_handler")
    client.assert_error("invalid")
