from django.utils import timezone
from djust.decorators import debounce, event_handler

from catalog.models import Product

from .mixins import AppLiveView


class HomeView(AppLiveView):
    template_name = "core/home.html"

    def mount(self, request, **kwargs):
        self.featured = list(Product.objects.filter(featured=True).values("id", "name", "price")[:6])
        self.newsletter_email = ""
        self.subscribed = False

    @event_handler
    def subscribe(self, email="", **kwargs):
        self.newsletter_email = email.strip()
        self.subscribed = "@" in self.newsletter_email
        if self.subscribed:
            self.notify("Thanks! Check your inbox.")


class CounterView(AppLiveView):
    """The classic: click, see the DOM patched."""

    template_name = "core/counter.html"

    def mount(self, request, **kwargs):
        self.count = 0
        self.step = 1

    @event_handler
    def increment(self, **kwargs):
        before = self.count
        self.count += self.step
        # Each ten passed: the page's Milestones hook shows it (core/static/js/hooks.js).
        if self.count // 10 > before // 10:
            self.push_event("milestone", {"count": self.count // 10 * 10})

    @event_handler
    def decrement(self, **kwargs):
        self.count -= self.step

    @event_handler
    @debounce(wait=0.2)
    def set_step(self, value=1, **kwargs):
        try:
            self.step = max(1, int(value))
        except (TypeError, ValueError):
            self.step = 1


class ClockView(AppLiveView):
    template_name = "core/clock.html"

    def mount(self, request, **kwargs):
        self.timezone_name = "UTC"
        self.timezones = ["UTC", "Europe/Oslo", "America/Halifax"]
        self.now = timezone.now().isoformat()

    @event_handler
    def tick(self, **kwargs):
        self.now = timezone.now().isoformat()

    @event_handler
    def set_timezone(self, value="UTC", **kwargs):
        self.timezone_name = value
