"""LiveViews for the tests."""

import threading

from djust import LiveView
from djust.decorators import debounce, event_handler, throttle


class Counter(LiveView):
    template_name = "counter_view.html"

    def mount(self, request, **kwargs):
        self.title = kwargs.get("title", "Counter")
        self.count = 0
        self.secret_when_big = ""
        self.items = ["a", "b", "c"]
        self._private_lock = threading.Lock()  # private: not state, not validated

    @event_handler
    def inc(self, step=1, **kwargs):
        self.count += int(step)

    @event_handler()
    def dec(self, **kwargs):
        self.count -= 1

    @event_handler(name="add")
    def add_item(self, value="", **kwargs):
        self.items.insert(0, value)

    @event_handler
    @debounce(wait=0.25)
    def search(self, value="", **kwargs):
        self.title = value

    @throttle(0.1)
    @event_handler
    def scroll(self, **kwargs):
        pass

    @event_handler
    def leave(self, **kwargs):
        self.redirect("product", pk=7)

    def not_a_handler(self, **kwargs):
        self.count = 1000

    @event_handler
    def boom(self, **kwargs):
        raise RuntimeError("secret detail")


class WithService(Counter):
    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.lock = threading.Lock()  # public and not serialisable


class MembersOnly(Counter):
    login_required = True


class NobodyAllowed(Counter):
    def check_permissions(self, request):
        return False
