"""Components and the LiveView that renders them, for test_components.py."""

from typing import Any

from djust.components import Component, LiveComponent
from djust.decorators import event_handler
from djust.live_view import LiveView


class Badge(Component):
    template_name = "components/badge.html"


class Cart(LiveComponent):
    template_name = "components/cart.html"

    def mount(self, items: Any = (), owner: str = "", **props: Any) -> None:
        self.items = list(items)
        self.owner = owner
        self.mounts = 1
        self.updates = 0

    def update(self, owner: str = "", **props: Any) -> None:
        self.owner = owner
        self.updates += 1

    @event_handler
    def remove(self, index: Any = 0, **kwargs: Any) -> None:
        del self.items[int(index)]
        self.send_parent("cart_changed", count=len(self.items))
        self.push_event("cart_item_removed", {"left": len(self.items)})

    @event_handler
    def bad_parent_call(self, **kwargs: Any) -> None:
        self.send_parent("no_such_handler")


class NoRoot(LiveComponent):
    template_name = "components/no_root.html"


class Shop(LiveView):
    template_name = "shop.html"

    def mount(self, request: Any, **kwargs: Any) -> None:
        self.owner = "ann"
        self.initial = ["apple", "bread", "cheese"]
        self.count = 3
        self.bought = 0
        self.show_cart = True

    @event_handler
    def cart_changed(self, count: int = 0, **kwargs: Any) -> None:
        self.count = count

    @event_handler
    def rename(self, value: str = "", **kwargs: Any) -> None:
        self.owner = value

    @event_handler
    def buy(self, **kwargs: Any) -> None:
        self.bought += 1

    @event_handler
    def hide(self, **kwargs: Any) -> None:
        self.show_cart = False
