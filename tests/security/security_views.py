"""LiveViews for the security suite."""

from djust import LiveView
from djust.decorators import event_handler
from djust.presence import PresenceMixin

SECRET = "the-staff-only-secret-7f3a9c"


class StaffSecretView(LiveView):
    template_name = "security/secret.html"

    def mount(self, request, **kwargs):
        self.secret = SECRET


def nested(depth):
    """A list nested ``depth`` deep (at most 20,000: this view's own loop must not be
    what runs long; the point is what the template engine does with the result)."""
    value = []
    for _ in range(min(depth, 20_000)):
        value = [value]
    return value


class PadView(LiveView):
    """Sizes from the client: a padding width and a nesting depth (dj-model), a list
    that contains itself (an event)."""

    template_name = "security/pad.html"

    def mount(self, request, **kwargs):
        self.width = 5
        self.depth = 1
        self.items = ["a"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tree"] = nested(self.depth)
        return context

    @event_handler
    def make_cycle(self, **kwargs):
        self.items.append(self.items)

    @event_handler
    def echo(self, value=None, **kwargs):
        self.last = str(type(value).__name__)


class QueriesView(LiveView):
    """For the profile test: each `run` event runs exactly `k` queries of one shape."""

    template_name = "security/queries.html"

    def mount(self, request, **kwargs):
        self.runs = 0

    @event_handler
    def run(self, k=3, **kwargs):
        from django.contrib.auth import get_user_model

        for i in range(min(int(k), 50)):
            get_user_model().objects.filter(pk=i).exists()
        self.runs += 1


class RoomView(PresenceMixin, LiveView):
    """Presence and broadcast across worker processes (test_state_workers.py)."""

    template_name = "security/room.html"
    presence_key = "room"

    def mount(self, request, **kwargs):
        self.name = request.GET.get("name", "anon")
        self.said = []
        self.subscribe("chat")
        self.track_presence({"name": self.name})

    @event_handler
    def say(self, text="", **kwargs):
        self.broadcast("chat", "said", {"line": f"{self.name}: {text}"[:200]})

    def handle_info(self, event, **payload):
        if event == "said":
            self.said = [*self.said, payload["line"]][-20:]
