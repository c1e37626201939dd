"""LiveViews for the tests."""

import threading
from decimal import Decimal
from typing import ClassVar

from djust import LiveView
from djust.decorators import background, debounce, event_handler, throttle
from djust.presence import PresenceMixin


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


class Cached(Counter):
    """A counter whose total is also shown inside ``{% cache %}``."""

    template_name = "cached_view.html"


class WithService(Counter):
    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.lock = threading.Lock()  # public and not serialisable


class MembersOnly(Counter):
    login_required = True


class NobodyAllowed(Counter):
    def check_permissions(self, request):
        return False


class StaffSecret(Counter):
    """Routed only behind ``staff_member_required`` (djust_test_urls)."""

    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.title = "the staff-only secret"


class WithCycle(Counter):
    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.tree = {"children": []}
        self.tree["children"].append(self.tree)  # a reference cycle

    @event_handler
    def touch(self, **kwargs):
        self.count += 1


class LockInDict(Counter):
    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.resources = {"name": "db", "lock": threading.Lock()}


class Typed(LiveView):
    """Fields of several types, each bound with dj-model (templates/typed_view.html)."""

    template_name = "typed_view.html"
    price: Decimal | None = None

    def mount(self, request, **kwargs):
        self.count = 0
        self.ratio = 1.5
        self.agree = False
        self.name = ""
        self.tags = ["a"]
        self.price = None
        self.note = None

    @event_handler
    def bump(self, **kwargs):
        self.count += 1


class WithForm(Counter):
    template_name = "form_view.html"


class Queries(LiveView):
    """`run` adds `k`; `fail` raises. (The queries an event runs are counted over a real
    server and database: tests/security/test_profile.py.)"""

    template_name = "queries_view.html"

    def mount(self, request, **kwargs):
        self.total = 0

    @event_handler
    def run(self, k=3, **kwargs):
        self.total += int(k)

    @event_handler
    def fail(self, **kwargs):
        raise LookupError("no such row")


class Pusher(Counter):
    """``push_event`` from mount and handlers."""

    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.push_event("welcome", {"count": self.count})

    @event_handler
    def inc(self, step=1, **kwargs):
        super().inc(step)
        self.push_event("counted", {"count": self.count, "at": Decimal("1.50")})
        self.push_event("flash")

    @event_handler
    def push_then_fail(self, **kwargs):
        self.push_event("lost", {})
        raise RuntimeError("after the push")

    @event_handler
    def push_then_leave(self, **kwargs):
        self.push_event("lost", {})
        self.redirect("/elsewhere/")

    @event_handler
    def push_bad(self, kind="name", **kwargs):
        if kind == "name":
            self.push_event("", {})
        elif kind == "payload":
            self.push_event("x", ["not", "a", "dict"])
        else:
            self.push_event("x", {"lock": threading.Lock()})


class Worker(Counter):
    """Background work: ``start_async``, ``cancel_async``, ``@background``."""

    template_name = "worker_view.html"

    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.status = "idle"
        self.results = []
        self.gate = None  # a threading.Event a test may set to hold a task

    @event_handler
    def begin(self, value="7", **kwargs):
        self.status = "working"
        self.start_async(self._square, int(value), name="square")

    def _square(self, n):
        if self.gate is not None:
            self.gate.wait(5)
        self.push_event("progress", {"n": n})
        return n * n

    @event_handler
    def begin_async(self, **kwargs):
        self.status = "working"
        self.start_async(self._coroutine, 3)

    async def _coroutine(self, n):
        import asyncio

        await asyncio.sleep(0)
        return n + 1

    @event_handler
    def begin_failing(self, **kwargs):
        self.start_async(self._fail, name="fail")

    def _fail(self):
        raise ValueError("the service is down")

    @event_handler
    def begin_many(self, count="3", **kwargs):
        for i in range(int(count)):
            self.start_async(self._square, i, name=f"t{i}")

    @event_handler
    def stop(self, **kwargs):
        self.cancel_async("square")

    @event_handler
    def begin_then_fail(self, **kwargs):
        self.start_async(self._square, 2, name="square")
        raise RuntimeError("the handler failed")

    @event_handler
    @background
    def slow_total(self, factor="2", **kwargs):
        self.count = self.count * int(factor)
        self.status = "totalled"

    def handle_async_result(self, name, result=None, error=None):
        if name == "fail" and isinstance(error, ValueError):
            self.status = f"failed: {error}"
            return
        if error is not None and not isinstance(error, ValueError):
            self.status = f"{name}: {type(error).__name__}"
            return
        super().handle_async_result(name, result, error)
        self.results.append((name, result))
        self.status = "done"


class WorkerDefault(Worker):
    """The default ``handle_async_result``: errors re-raised."""

    def handle_async_result(self, name, result=None, error=None):
        LiveView.handle_async_result(self, name, result, error)


class Paged(LiveView):
    """Live navigation: ``handle_params``, ``live_patch``, ``live_redirect``."""

    template_name = "paged_view.html"

    def mount(self, request, **kwargs):
        self.page = 0
        self.sort = ""
        self.seen = []

    def handle_params(self, params, uri):
        self.seen.append((dict(params), uri))
        if "loop" in params:
            self.live_patch({"loop": int(params["loop"]) + 1})
        self.page = int(params.get("page", 1))
        self.sort = params.get("sort", "")

    @event_handler
    def next_page(self, **kwargs):
        self.live_patch({"page": self.page + 1, "sort": self.sort or None})

    @event_handler
    def sort_by(self, value="", **kwargs):
        self.live_patch({"page": 1, "sort": value}, replace=True)

    @event_handler
    def to_counter(self, **kwargs):
        self.live_redirect("/counter/", params={"from": "paged"})

    @event_handler
    def to_other_session(self, **kwargs):
        self.live_redirect("/live/b/")

    @event_handler
    def patch_elsewhere(self, **kwargs):
        self.live_patch(path="/counter/")

    @event_handler
    def loop(self, **kwargs):
        self.live_patch({"loop": 1})


class LiveA(Paged):
    pass


class LiveB(Paged):
    pass


class BrokenMount(Counter):
    """``mount`` raises: a failed mount."""

    def mount(self, request, **kwargs):
        raise RuntimeError("the mount broke")


class Modified(Counter):
    """``dj-model`` with modifiers binds its field too."""

    template_name = "modified_view.html"


class Streamer(Counter):
    """``async`` handlers that stream (djust.streaming)."""

    template_name = "streamer_view.html"
    stream_templates: ClassVar[dict[str, str]] = {"items": "stream_item.html"}

    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.done = False

    @event_handler
    async def run(self, **kwargs):
        await self.stream_to("log")
        await self.stream_text("log", "Hel")
        await self.stream_text("log", "lo <b>")
        await self.stream_insert("items", "<li id='a'>a</li>")
        await self.stream_insert("items", {"id": "b", "label": "B & co"}, at="prepend")
        self.count = 5
        await self.push_state()
        await self.stream_delete("items", "a")
        await self.stream_delete("items", "li.x")
        self.done = True

    @event_handler
    async def fail_midway(self, **kwargs):
        await self.stream_text("log", "partial")
        raise RuntimeError("stream broke")

    @event_handler
    async def tokens(self, count="50", delay="0", **kwargs):
        for i in range(int(count)):
            if float(delay):
                import asyncio

                await asyncio.sleep(float(delay))
            await self.stream_text("log", f"{i} ")
        self.count = int(count)

    @event_handler
    async def bad_insert(self, **kwargs):
        await self.stream_insert("log", {"no": "template"})


class Host(Counter):
    """A page whose template embeds other LiveViews with ``{% live_render %}``."""

    template_name = "host_view.html"


class Uploader(Counter):
    """``allow_upload`` and ``consume_uploaded_entries``."""

    template_name = "uploader_view.html"

    def mount(self, request, **kwargs):
        super().mount(request, **kwargs)
        self.allow_upload("photos", accept=[".png", "image/jpeg"], max_entries=2, max_file_size=100, chunk_size=10)
        self.saved = []
        self.paths = []

    @event_handler
    def save(self, **kwargs):
        def keep(path, entry):
            self.paths.append(path)
            with open(path, "rb") as f:
                return [entry.name, entry.size, f.read().decode()]

        self.saved = self.consume_uploaded_entries("photos", keep)


class Scoped(Counter):
    """``dj-target``: an event whose reply patches one element."""

    template_name = "scoped_view.html"

    @event_handler
    def add_item(self, value="", **kwargs):
        self.items.insert(0, value)
        self.count += 1


def no_example_addresses(value):
    """A LiveForm validator (module level, so the form can be kept as state)."""
    if value.endswith("@example.com"):
        return "Use your own address."
    return None


class ContactForm(LiveView):
    """A LiveForm spec validated as it is typed and on submit (issue 22, point 3)."""

    template_name = "contact_form_view.html"

    def mount(self, request, **kwargs):
        from djust.forms import LiveForm

        self.form = LiveForm(
            {
                "name": {"required": True, "min_length": 2},
                "email": {"required": True, "email": True, "validators": [no_example_addresses]},
            }
        )
        self.sent = ""

    @event_handler
    def validate(self, field="", value="", **kwargs):
        if field in self.form.fields:
            self.form.validate_field(field, value)

    @event_handler
    def submit(self, **params):
        self.form.set_values(params)
        if self.form.validate_all():
            self.sent = f"Thanks, {self.form.cleaned_data['name']}"
            self.form.reset()


class Remembered(Counter):
    """A Counter that counts its mounts and restores (issue 22, point 1)."""

    mounts: ClassVar[int] = 0
    restores: ClassVar[list[str]] = []

    def mount(self, request, **kwargs):
        type(self).mounts += 1
        super().mount(request, **kwargs)
        self.when = __import__("datetime").date(2026, 12, 3)
        self.price = Decimal("9.50")
        self.tags = ("a", "b")

    def restored(self, request):
        type(self).restores.append(request.path)
        self._private_lock = threading.Lock()


class Room(PresenceMixin, LiveView):
    """Presence and broadcast (issue 22, point 2): who is in the room, and what they say."""

    template_name = "room_view.html"
    presence_key = "room:{room}"

    def mount(self, request, **kwargs):
        self.room = kwargs.get("room", "lobby")
        self.name = request.GET.get("name", "anon")
        self.said = []
        self.subscribe(f"chat:{self.room}")
        self.track_presence({"name": self.name})

    @event_handler
    def say(self, text="", **kwargs):
        self.broadcast(f"chat:{self.room}", "said", {"who": self.name, "text": text})

    @event_handler
    def leave_room(self, **kwargs):
        self.untrack_presence()
        self.unsubscribe(f"chat:{self.room}")

    def handle_info(self, event, **payload):
        if event == "said":
            self.said.append(f"{payload['who']}: {payload['text']}")

    def handle_presence_join(self, presence):
        self.push_event("joined", {"name": presence["name"]})

    def handle_presence_leave(self, presence):
        self.push_event("left", {"name": presence["name"]})
