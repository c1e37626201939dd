"""The Django template backend (``djust.template.backends.DjustTemplates``): the same
output as ``DjangoTemplates`` for a page with ``{% url %}``, ``{% static %}``,
``{% csrf_token %}``, i18n tags and context processors, through Django's own loader API."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.loader import render_to_string
from django.test import RequestFactory

from djust import LiveView
from djust.decorators import event_handler
from djust.template.backends import DjustTemplates


class Product:
    def __init__(self, pk: int, name: str, slug: str) -> None:
        self.pk = pk
        self.name = name
        self.slug = slug


CONTEXT = {
    "products": [Product(1, "Tea <green>", "tea"), Product(2, "Coffee", "coffee")],
    "q": 'say "hi"',
}


def test_the_backend_renders_like_django_templates() -> None:
    request = RequestFactory().get("/products/")
    ours = engines["djust"].get_template("backend_page.html").render(CONTEXT, request)
    theirs = engines["django"].get_template("backend_page.html").render(CONTEXT, request)
    assert isinstance(engines["djust"], DjustTemplates)
    # Django masks the CSRF token afresh at each use: the tokens differ but must hide the
    # same secret; the rest is byte-identical.
    token = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
    (a,), (b,) = token.findall(ours), token.findall(theirs)
    assert _unmask_cipher_token(a) == _unmask_cipher_token(b)
    assert token.sub("TOKEN", ours) == token.sub("TOKEN", theirs)
    # What the page exercised, so that equality means something.
    assert '<a href="/products/1/">Tea &lt;green&gt;</a>' in ours
    assert "/static/css/site.css" in ours
    assert 'name="csrfmiddlewaretoken" value="' in ours
    assert "2 products" in ours and "/products/7/" in ours and "/static/|/media/|/products/" in ours


def test_render_to_string_finds_the_backend_by_name() -> None:
    out = render_to_string("backend_page.html", CONTEXT, using="djust")
    assert "Coffee" in out and "csrfmiddlewaretoken" not in out


def test_missing_templates_and_syntax_errors_are_djangos() -> None:
    with pytest.raises(TemplateDoesNotExist):
        engines["djust"].get_template("missing.html")
    with pytest.raises(TemplateSyntaxError) as info:
        engines["djust"].from_string("{% if %}")
    assert info.value.lineno == 1


def test_a_url_that_does_not_reverse_fails_the_render() -> None:
    template = engines["djust"].from_string("{% url 'nope' %}")
    with pytest.raises(Exception, match="nope"):
        template.render({})


def test_unknown_options_are_refused() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="Unknown options for the djust template backend: colour"):
        DjustTemplates({"NAME": "x", "DIRS": [], "APP_DIRS": False, "OPTIONS": {"colour": "red"}})


def test_every_option_of_djangos_backend_is_accepted_with_its_meaning(tmp_path) -> None:
    """Django's `DjangoTemplates` options, each shown to take effect: `debug`,
    `string_if_invalid`, `autoescape`, `file_charset` (a Latin-1 file),
    `loaders` (locmem, filesystem with its own directory, a project's own class),
    `libraries`, `builtins`, `context_processors`."""
    (tmp_path / "latin.html").write_bytes("caf\xe9 {{ x }}".encode("latin-1"))
    options = {
        "debug": True,
        "string_if_invalid": "??",
        "autoescape": False,
        "file_charset": "latin-1",
        "loaders": [
            ("django.template.loaders.locmem.Loader", {"mem.html": "mem {{ nope }}"}),
            ("django.template.loaders.filesystem.Loader", [str(tmp_path)]),
            "djust_test_loaders.ReversingLoader",
        ],
        "libraries": {"shop": "djust_test_tags"},
        "builtins": ["djust_test_tags"],
        "context_processors": ["django.template.context_processors.request"],
    }
    backend = DjustTemplates({"NAME": "x", "DIRS": [], "APP_DIRS": False, "OPTIONS": options})
    assert backend.debug is True
    assert backend.get_template("mem.html").render({}) == "mem ??"
    assert backend.get_template("latin.html").render({"x": "<b>"}) == "caf\xe9 <b>"
    assert backend.get_template("rev/ab.html").render({}) == "lmth.ba/ver"
    assert backend.from_string("{{ 2|price }}").render({}) == "2.00 EUR"
    request = RequestFactory().get("/p/")
    assert backend.from_string("{{ request.path }}").render({}, request) == "/p/"
    with pytest.raises(TemplateDoesNotExist):
        backend.get_template("missing.html")


def test_url_errors_are_djangos_no_reverse_match_unless_as_var() -> None:
    from django.template import engines
    from django.urls import NoReverseMatch

    djust_engine = engines["djust"]
    with pytest.raises(NoReverseMatch):
        djust_engine.from_string("{% url 'no-such-view' %}").render({})
    assert djust_engine.from_string("{% url 'no-such-view' as u %}[{{ u }}]").render({}) == "[]"


def test_the_views_context_wins_over_context_processors_as_in_django() -> None:
    from django.template.backends.django import DjangoTemplates

    processors = [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]
    params = {"NAME": "x", "DIRS": [], "APP_DIRS": False, "OPTIONS": {"context_processors": processors}}
    source = "{{ messages|join:',' }}|{{ user }}|{{ request.path }}|{{ perms|yesno:'p,-' }}"
    context = {"messages": ["mine"], "user": "view-user"}
    request = RequestFactory().get("/chat/")
    ours = DjustTemplates(dict(params)).from_string(source).render(context, request)
    theirs = DjangoTemplates(dict(params)).from_string(source).render(context, request)
    assert ours == theirs == "mine|view-user|/chat/|p"


def test_the_size_limit_is_a_backend_option() -> None:
    backend = DjustTemplates({"NAME": "x", "DIRS": [], "APP_DIRS": False, "OPTIONS": {"max_generated_size": 100}})
    assert backend.from_string("{{ x|rjust:100 }}").render({"x": "a"}).endswith("a")
    with pytest.raises(MemoryError):
        backend.from_string("{{ x|rjust:101 }}").render({"x": "a"})


@pytest.mark.parametrize(
    ("name", "line", "token", "raised"),
    [
        ("debug_syntax.html", 3, "{% if %}", "TemplateSyntaxError"),
        ("debug_render.html", 2, "{{ 7|boom }}", "Boom"),
    ],
)
def test_debug_errors_show_the_template_excerpt_on_djangos_500_page(name, line, token, raised) -> None:
    """With `debug` on, a syntax error and an exception from a project's filter carry
    Django's `template_debug`: the technical 500 page (fetched with Django's test
    client) shows the template with the error line marked, as with DjangoTemplates.
    The filter's own exception escapes unchanged."""
    from django.test import Client, override_settings

    with override_settings(DEBUG=True):
        response = Client(raise_request_exception=False).get(f"/debug/{name}")
    page = response.content.decode()
    assert response.status_code == 500
    assert f"Exception Type: {raised} at /debug/{name}" in page
    assert "<h2>Error during template rendering</h2>" in page
    assert f"<p>In template <code>{name}</code>, error at line <strong>{line}</strong></p>" in page
    marked = (
        rf'<tr class="error"><th scope="row">{line}</th>\s*<td>[^\n]*<span class="specific">{re.escape(token)}</span>'
    )
    assert re.search(marked, page), page


def _write(path, text: str, when: int) -> None:
    """Write `text` with a modification time `when` seconds after the epoch (a change
    is seen whatever the file system's time resolution)."""
    import os

    path.write_text(text)
    os.utime(path, (when, when))


def _debug_backend(directory, **options) -> DjustTemplates:
    return DjustTemplates({"NAME": "x", "DIRS": [directory], "APP_DIRS": False, "OPTIONS": options})


def test_with_debug_an_edited_template_is_picked_up_at_the_next_render(tmp_path) -> None:
    """`debug` on and no explicit `loaders`: Django resets its cached loader on
    autoreload; djust recompiles a changed file at its next load, an included one too.
    With `debug` off, or explicit loaders, templates are read once."""
    _write(tmp_path / "page.html", "page {% include 'part.html' %}", 1_000)
    _write(tmp_path / "part.html", "one", 1_000)
    loaders = [("django.template.loaders.filesystem.Loader", [str(tmp_path)])]
    reloading = _debug_backend(tmp_path, debug=True)
    fixed = [_debug_backend(tmp_path, debug=False), _debug_backend(tmp_path, debug=True, loaders=loaders)]
    for backend in [reloading, *fixed]:
        assert backend.get_template("page.html").render({}) == "page one"
    _write(tmp_path / "part.html", "two", 2_000)
    _write(tmp_path / "page.html", "new {% include 'part.html' %}", 2_000)
    assert reloading.get_template("page.html").render({}) == "new two"
    for backend in fixed:
        assert backend.get_template("page.html").render({}) == "page one"


RELOADING: list = []


class EditedView(LiveView):
    """A LiveView whose template comes from a `debug` backend over a temporary folder
    (`RELOADING[0]`)."""

    template_name = "live.html"

    def mount(self, request, **kwargs):
        self.count = 0

    @event_handler
    def inc(self, **kwargs):
        self.count += 1

    def get_template(self):
        return RELOADING[0].get_template(self.template_name)


def test_with_debug_a_mounted_liveview_renders_the_edited_template_at_its_next_event(tmp_path) -> None:
    from djust.testing import LiveViewTestClient

    RELOADING[:] = [_debug_backend(tmp_path, debug=True)]
    root = '<main dj-root dj-view="test_backend.EditedView">'
    _write(tmp_path / "live.html", root + "<p>{{ count }} before</p></main>", 1_000)
    client = LiveViewTestClient(EditedView)
    assert "0 before" in client.html
    _write(tmp_path / "live.html", root + "<p>{{ count }} after</p><b>new</b></main>", 2_000)
    reply = client.event("inc")
    assert reply["type"] == "patch", reply
    assert "1 after" in client.html and ">new</b>" in client.html and "before" not in client.html


class _Shown:
    def __repr__(self) -> str:
        return "<Shown: 清風>"


def test_debug_tag_prints_the_context_as_django_does() -> None:
    """``{% debug %}`` with ``DEBUG``: each context dict ``pformat``-ed (a Python object by
    its own ``repr()``), the built-ins, then the modules, escaped (Django's
    ``test_debug``); nothing without ``DEBUG``."""
    from django.template.backends.django import DjangoTemplates
    from django.test import override_settings

    params = {"NAME": "x", "DIRS": [], "APP_DIRS": False, "OPTIONS": {}}
    source = "{% debug %}"
    context = {"frag": "<script>", "shown": _Shown(), "n": 1}
    with override_settings(DEBUG=True):
        ours = DjustTemplates(dict(params)).from_string(source).render(context)
        theirs = DjangoTemplates(dict(params)).from_string(source).render(context)
    assert ours.split("\n\n")[0] == theirs.split("\n\n")[0]
    assert ours.startswith(
        "{&#x27;frag&#x27;: &#x27;&lt;script&gt;&#x27;, &#x27;n&#x27;: 1, &#x27;shown&#x27;: &lt;Shown: 清風&gt;}"
    )
    assert "&#x27;django&#x27;: &lt;module &#x27;django&#x27; " in ours
    with override_settings(DEBUG=False):
        assert DjustTemplates(dict(params)).from_string(source).render(context) == ""


def test_extends_takes_a_template_object_in_place_of_a_name() -> None:
    """Django's ``ExtendsNode.get_parent``: a ``Template``, or the backend's template whose
    ``template`` is one, is the parent itself (Django's ``test_inheritance24``)."""
    from django.template import Template as DjangoTemplate

    backend = DjustTemplates({"NAME": "x", "DIRS": [], "APP_DIRS": False, "OPTIONS": {}})
    child = backend.from_string("{% extends parent %}{% block first %}2{% endblock %}{% block second %}4{% endblock %}")
    source = "1{% block first %}_{% endblock %}3{% block second %}_{% endblock %}"
    for parent in (backend.from_string(source), backend.from_string(source).template, DjangoTemplate(source)):
        assert child.render({"parent": parent}) == "1234"
    with pytest.raises(TemplateDoesNotExist):
        child.render({"parent": object()})


def test_add_falls_back_to_pythons_plus_as_django_does() -> None:
    """Django's ``add``: ``int(value) + int(arg)``, else ``value + arg``, else ``""``; the
    engine hands the last one to Python for host objects (a ``date`` plus a
    ``timedelta``: Django's ``test_add07``)."""
    import datetime

    from django.template.backends.django import DjangoTemplates

    class Money:
        def __init__(self, cents: int) -> None:
            self.cents = cents

        def __add__(self, other):
            return f"{self.cents + int(other)} cents"

        def __radd__(self, other):
            return f"{int(other) + self.cents} cents (right)"

    class Broken:
        def __add__(self, other):
            raise RuntimeError("no sum")

        __radd__ = __add__

    params = {"DIRS": [], "APP_DIRS": False, "OPTIONS": {}}
    source = "{{ d|add:t }}|{{ dt|add:t }}|{{ m|add:'5' }}|{{ '7'|add:m }}|{{ b|add:1 }}|{{ 1|add:b }}|{{ t|add:t }}"
    context = {
        "d": datetime.date(2000, 1, 1),
        "dt": datetime.datetime(2000, 1, 1, 12, 30),
        "t": datetime.timedelta(10),
        "m": Money(120),
        "b": Broken(),
    }
    ours = DjustTemplates({"NAME": "ours", **params}).from_string(source).render(context)
    theirs = DjangoTemplates({"NAME": "theirs", **params}).from_string(source).render(context)
    assert ours == theirs
    assert ours.startswith("Jan. 11, 2000|Jan. 11, 2000, 12:30 p.m.|125 cents|")


def test_lookups_follow_djangos_python_rules() -> None:
    """Django's ``Variable._resolve_lookup``: a class is not subscripted through
    ``__class_getitem__`` (its attributes are read instead), and an AttributeError or
    TypeError raised by an attribute the object has (a ``@property``) escapes the render
    instead of reading as a missing attribute (Django's ``test_subscriptable_class``,
    ``test_filter_syntax25``, ``test_type_error_attribute``)."""
    from django.template.backends.django import DjangoTemplates

    class Rows(list):
        label = "rows"
        do_not_call_in_templates = True

    class Broken:
        @property
        def attribute_error(self):
            raise AttributeError("inside the property")

        @property
        def type_error(self):
            raise TypeError("inside the property")

    params = {"DIRS": [], "APP_DIRS": False, "OPTIONS": {}}
    ours = DjustTemplates({"NAME": "ours", **params})
    theirs = DjangoTemplates({"NAME": "theirs", **params})
    source = "{{ k.label }}|{{ k.missing }}|{{ b.missing }}"
    context = {"k": Rows, "b": Broken()}
    assert ours.from_string(source).render(context) == theirs.from_string(source).render(context) == "rows||"
    for attr, raised in (("attribute_error", AttributeError), ("type_error", TypeError)):
        for backend in (ours, theirs):
            with pytest.raises(raised, match="inside the property"):
                backend.from_string("{{ b." + attr + " }}").render(context)


def test_top_level_bindings_reach_the_callers_dict_as_in_django() -> None:
    """Django's ``Context`` wraps the caller's dict: ``{% firstof … as v %}`` outside any
    scope is in the dict after the render (Django's ``test_firstof15``); inside a
    ``{% with %}``, a loop or a block it is not, nor with a request (the backend renders
    a copy then), nor in a LiveView session's state."""
    from django.template.backends.django import DjangoTemplates

    from djust import _rust

    params = {"DIRS": [], "APP_DIRS": False, "OPTIONS": {}}
    source = (
        "{% firstof a b as top %}{% with x=1 %}{% firstof b as inner %}{% endwith %}"
        "{% for i in '1' %}{% firstof b as looped %}{% endfor %}{% firstof a b as top %}"
    )
    for backend in (DjustTemplates({"NAME": "ours", **params}), DjangoTemplates({"NAME": "theirs", **params})):
        context = {"a": 0, "b": 2}
        assert backend.from_string(source).render(context) == ""
        assert context == {"a": 0, "b": 2, "top": "2"}, backend
        context = {"a": 0, "b": 2}
        backend.from_string(source).render(context, RequestFactory().get("/"))
        assert context == {"a": 0, "b": 2}
    renderer = _rust.LiveViewRenderer(_rust.Engine().from_string("<div dj-root>{% firstof a b as top %}</div>"))
    renderer.update_state({"a": 0, "b": 2})
    renderer.render()
    assert renderer.get_state() == {"a": 0, "b": 2}
