"""djust._rust's template engine from Python: lazy contexts, Python values, errors,
and output byte-identical to Django's engine on the same templates and contexts."""

import datetime
import decimal
import json
import math
import uuid

import django.template
import pytest
from django.template import Context
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

import djust
from djust import Engine, LiveViewRenderer, TemplateDoesNotExist, TemplateSyntaxError


def django_render(source: str, context: dict) -> str:
    return django.template.Engine().from_string(source).render(Context(context))


class Product:
    """A model-like object: attributes, a method, a property, a related manager."""

    def __init__(self, name: str, price: str) -> None:
        self.name = name
        self.price = decimal.Decimal(price)
        self.added = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
        self.id = uuid.UUID("12345678-1234-5678-1234-567812345678")

    def label(self) -> str:
        return f"<{self.name}>"

    @property
    def cheap(self) -> bool:
        return self.price < 10


PAGES = [
    "{{ name }} & {{ missing }}|{{ n|add:2 }}",
    "{% for p in products %}{{ p.name }} {{ p.price }} {{ p.label }} {% if p.cheap %}cheap{% endif %}\n{% endfor %}",
    "{{ products.0.name|upper }} {{ products|length }} {{ products.1.added|date:'Y-m-d H:i' }}",
    "{{ p.id }} {{ p.price|floatformat:1 }} {{ p.added|date:'c' }}",
    "{% for k, v in data.items %}{{ k }}={{ v }};{% endfor %} {{ data.a }} {{ data.missing|default:'d' }}",
    "{{ safe }} {{ unsafe }} {{ lazy }} {{ tup.1 }} {{ flag|yesno:'y,n' }} {{ none }} {{ big }}",
    "{% with total=products|length %}{{ total }}{% endwith %} {{ day|date:'D d M Y' }} {{ t|time:'H:i' }}",
]


def context() -> dict:
    return {
        "name": "<b>Ada</b>",
        "n": 40,
        "products": [Product("Tea", "4.50"), Product("Coffee", "12.00")],
        "p": Product("Cocoa", "7.25"),
        "data": {"a": 1, "b": [1, 2]},
        "safe": mark_safe("<i>ok</i>"),
        "unsafe": "<i>no</i>",
        "lazy": gettext_lazy("Hello"),
        "tup": ("x", "y"),
        "flag": True,
        "none": None,
        "big": 2**80,
        "day": datetime.date(2026, 11, 21),
        "t": datetime.time(13, 5),
    }


@pytest.mark.parametrize("source", PAGES)
def test_renders_like_django(source: str) -> None:
    ours = Engine().from_string(source).render(context())
    assert ours == django_render(source, context())


def test_the_context_is_read_lazily() -> None:
    looked_up: list[str] = []

    class Recording(dict):
        def __getitem__(self, key: str) -> object:
            looked_up.append(key)
            return super().__getitem__(key)

    touched: list[str] = []

    class Expensive:
        def __getattr__(self, name: str) -> str:
            touched.append(name)
            return name.upper()

    ctx = Recording(used="u", unused=Expensive(), obj=Expensive())
    out = Engine().from_string("{{ used }} {{ obj.title }}").render(ctx)
    assert out == "u TITLE"
    assert "unused" not in looked_up
    assert touched == ["title"]


def test_callables_follow_djangos_rules() -> None:
    class Account:
        calls = 0

        def balance(self) -> int:
            Account.calls += 1
            return 7

        def delete(self) -> str:
            raise AssertionError("alters_data methods are never called")

        delete.alters_data = True  # type: ignore[attr-defined]

    class Choices:
        do_not_call_in_templates = True
        label = "kept"

        def __call__(self) -> str:
            raise AssertionError("do_not_call_in_templates objects are not called")

    source = "{{ a.balance }} [{{ a.delete }}] {{ c.label }}"
    ctx = {"a": Account(), "c": Choices()}
    assert Engine().from_string(source).render(ctx) == django_render(source, ctx)
    assert Account.calls == 2  # once for us, once for Django


def test_syntax_errors_are_djangos_with_a_location() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Engine().from_string("line one\n{% if x %}\n{% bogus %}", name="page.html")
    err = info.value
    assert isinstance(err, django.template.TemplateSyntaxError)
    assert err.template_name == "page.html"
    assert err.lineno == 3
    assert err.column == 1
    assert "bogus" in str(err)


def test_missing_templates_raise_template_does_not_exist(tmp_path) -> None:
    (tmp_path / "base.html").write_text("[{% block b %}base{% endblock %}]")
    (tmp_path / "page.html").write_text("{% extends 'base.html' %}{% block b %}{{ x }}{% endblock %}")
    engine = Engine(dirs=[tmp_path])
    assert engine.render_to_string("page.html", {"x": "<"}) == "[&lt;]"
    with pytest.raises(TemplateDoesNotExist) as info:
        engine.get_template("nope.html")
    assert isinstance(info.value, django.template.TemplateDoesNotExist)


def test_in_memory_templates_and_includes() -> None:
    engine = Engine(
        templates={
            "row.html": "<li>{{ item }}</li>",
            "list.html": "{% for item in items %}{% include 'row.html' %}{% endfor %}",
        }
    )
    assert engine.render_to_string("list.html", {"items": ["a", "<b>"]}) == "<li>a</li><li>&lt;b&gt;</li>"


def test_context_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="mapping"):
        Engine().from_string("x").render(42)  # type: ignore[arg-type]


LIST = """<!DOCTYPE html><html><body><main dj-root>
<ul>{% for t in todos %}
  <li dj-key="{{ t.id }}">{{ t.title }}</li>{% endfor %}
</ul><p>{{ todos|length }} left</p></main></body></html>"""


def test_a_liveview_session_sends_html_then_patches() -> None:
    renderer = LiveViewRenderer(Engine().from_string(LIST, name="todos.html"))
    todos = [{"id": i, "title": f"task {i}"} for i in range(50)]
    html, patches, version = renderer.render_with_diff({"todos": todos})
    assert version == 1 and patches is None
    assert html.startswith('<main dj-id="0" dj-root="">'), html[:40]
    assert html.count("<li dj-id=") == 50

    todos[3] = {"id": 3, "title": "changed"}
    html2, patches2, version2 = renderer.render_with_diff({"todos": todos})
    assert version2 == 2
    message = json.loads(patches2)
    assert message["v"] == djust.PATCH_PROTOCOL_VERSION
    ops = message["patches"]
    assert [op["op"] for op in ops] == ["text"], ops
    assert "changed" in json.dumps(ops)
    # The other 49 rows were copied from the previous render, not parsed again.
    assert renderer.reused_fragments >= 49
    assert "changed" in html2

    removed = todos[:10] + todos[20:]
    _, patches3, _ = renderer.render_with_diff({"todos": removed})
    ops3 = json.loads(patches3)["patches"]
    assert sum(op["op"] == "remove" for op in ops3) == 10


def test_without_html_a_render_returns_the_same_patches_and_writes_the_root_when_asked() -> None:
    with_html = LiveViewRenderer(Engine().from_string(LIST, name="todos.html"))
    without = LiveViewRenderer(Engine().from_string(LIST, name="todos.html"))
    assert without.html() is None
    todos = [{"id": i, "title": f"task {i}"} for i in range(20)]
    first, _, _ = with_html.render_with_diff({"todos": todos})
    assert without.render_with_diff({"todos": todos}, html=False) == (None, None, 1)
    assert without.html() == first
    todos[4] = {"id": 4, "title": "changed"}
    html, patches, _ = with_html.render_with_diff({"todos": todos})
    none, patches_without, version = without.render_with_diff({"todos": todos}, html=False)
    assert none is None and version == 2
    assert patches_without == patches and "changed" in patches
    assert without.html() == html and "changed" in html


def test_no_root_is_dje_053_naming_the_template() -> None:
    renderer = LiveViewRenderer(Engine().from_string("", name="empty.html"))
    with pytest.raises(ValueError, match="DJE-053.*empty.html") as info:
        renderer.render_with_diff({})
    assert "dj-root" in str(info.value) and "check --tag djust" in str(info.value)


def test_diff_html() -> None:
    old = "<div dj-root><p>a</p></div>"
    new = "<div dj-root><p>b</p></div>"
    ops = json.loads(djust.diff_html(old, new))["patches"]
    assert len(ops) == 1 and ops[0]["op"] == "text"


def test_a_session_keeps_state_and_renders_from_it() -> None:
    renderer = LiveViewRenderer(Engine().from_string(LIST, name="todos.html"))
    renderer.set_state("todos", [{"id": 1, "title": "one"}])
    html = renderer.render()
    assert '<li dj-id="' in html and "one" in html and "1 left" in html

    renderer.update_state({"todos": [{"id": 1, "title": "one"}, {"id": 2, "title": "two"}]})
    assert list(renderer.get_state()) == ["todos"]
    html2, patches, version = renderer.render_with_diff()
    assert version == 2 and "two" in html2 and "2 left" in html2
    ops = json.loads(patches)["patches"]
    assert sorted(op["op"] for op in ops) == ["insert", "text"], ops

    # get_state is a copy; an explicit context still wins over the state.
    renderer.get_state()["todos"] = []
    assert "2 left" in renderer.render()
    assert "0 left" in renderer.render({"todos": []})
    with pytest.raises(TypeError):
        renderer.update_state(["not", "a", "mapping"])


def test_floats_print_as_django_prints_them() -> None:
    import random
    import struct

    rng = random.Random(7)
    values = [struct.unpack("d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(2000)]
    values += [rng.uniform(-1e16, 1e16) for _ in range(2000)] + [-965829760656228.25, 5e-324]
    values = [v for v in values if not math.isnan(v)]  # NaN prints as Django prints it, tested elsewhere
    # `{{ f }}` is Django's number format (plain notation up to 200 digits), and
    # `stringformat:'r'` is Python's repr (shortest round trip, ties to even).
    source = "{% for f in fs %}{{ f }} {{ f|stringformat:'r' }} {% endfor %}"
    ours = Engine().from_string(source).render({"fs": values}).split()
    theirs = django_render(source, {"fs": values}).split()
    assert len(ours) == len(theirs) == 2 * len(values)
    pairs = [v for v in values for _ in (0, 1)]
    assert [(v, a, b) for v, a, b in zip(pairs, ours, theirs, strict=True) if a != b] == []


def test_exceptions_escape_the_render_as_in_django() -> None:
    class Boom(Exception):
        pass

    class Quiet(Exception):
        silent_variable_failure = True

    class Obj:
        @property
        def loud(self):
            raise Boom("from a property")

        @property
        def quiet(self):
            raise Quiet

        def needs_args(self, x):
            return x

        def broken(self):
            raise TypeError("inside the call")

    engine = Engine(string_if_invalid="INVALID")
    with pytest.raises(Boom, match="from a property"):
        engine.from_string("a{{ o.loud }}b").render({"o": Obj()})
    with pytest.raises(TypeError, match="inside the call"):
        engine.from_string("{{ o.broken }}").render({"o": Obj()})
    # Missing, silent and argument-needing lookups are invalid variables, as in Django.
    source = "{{ o.quiet }}|{{ o.needs_args }}|{{ o.missing }}|{{ d.k }}"
    assert engine.from_string(source).render({"o": Obj(), "d": {}}) == "INVALID|INVALID|INVALID|INVALID"
    # The next render starts clean.
    assert engine.from_string("{{ x }}").render({"x": 1}) == "1"
    # A LiveView render raises the same way.
    renderer = LiveViewRenderer(Engine().from_string("<div dj-root>{{ o.loud }}</div>"))
    with pytest.raises(Boom):
        renderer.render({"o": Obj()})


def test_lazy_translation_strings_are_strings() -> None:
    context = {"s": "string", "lazy": gettext_lazy("lazy"), "other": gettext_lazy("Lazy")}
    source = "{{ s|add:lazy }} {{ lazy|add:other }} {{ lazy|upper }} {{ lazy|length }}"
    assert (
        Engine().from_string(source).render(context) == django_render(source, context) == "stringlazy lazyLazy LAZY 4"
    )


def _nested(depth: int, make) -> object:
    value = make()
    for _ in range(depth):
        value = make(value)
    return value


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("a list nested 12,300 deep", _nested(12_300, lambda *inner: list(inner))),
        ("a dict nested 1,000 deep", _nested(1_000, lambda *inner: {"a": inner[0]} if inner else {})),
    ],
)
def test_values_too_deep_to_print_raise_recursion_error_as_in_django(name: str, value: object) -> None:
    # Django's `str(value)` raises RecursionError; the engine used to crash the
    # interpreter (SIGSEGV) on the list and render "" for the dict.
    with pytest.raises(RecursionError):
        django_render("{{ x }}", {"x": value})
    with pytest.raises(RecursionError):
        Engine().from_string("{{ x }}").render({"x": value})
    renderer = LiveViewRenderer(Engine().from_string("<div dj-root>{{ x }}</div>"))
    with pytest.raises(RecursionError):
        renderer.render({"x": value})
    # Shallower values still print as Python prints them.
    shallow = _nested(60, lambda *inner: list(inner))
    assert Engine().from_string("{{ x }}").render({"x": shallow}) == django_render("{{ x }}", {"x": shallow})


def test_an_exception_from_str_escapes_the_render_as_in_django() -> None:
    class Bad:
        def __str__(self) -> str:
            raise ValueError("str failed")

    class Falsy:
        def __bool__(self) -> bool:
            raise ZeroDivisionError("bool failed")

    for source, context, error in [
        ("{{ x }}", {"x": Bad()}, ValueError),
        ("{% if x %}y{% endif %}", {"x": Falsy()}, ZeroDivisionError),
    ]:
        with pytest.raises(error):
            django_render(source, context)
        with pytest.raises(error):
            Engine().from_string(source).render(context)


def test_a_template_name_that_is_not_text_does_not_exist() -> None:
    engine = Engine(templates={"a.html": "x"})
    with pytest.raises(TemplateDoesNotExist):
        engine.get_template("\ud800.html")
    with pytest.raises(TemplateDoesNotExist):
        engine.render_to_string("\ud800")


@pytest.mark.parametrize(
    "source",
    [
        "{{ x|rjust:n }}",
        "{{ x|ljust:n }}",
        "{{ x|center:n }}",
        '{{ 1|stringformat:"099999999999d" }}',
        '{{ 1.5|stringformat:".99999999999f" }}',
        "{{ 1.5|floatformat:n }}",
        "{% lorem 10000000000000 w %}",
        "{% lorem 10000000000000 p %}",
    ],
)
def test_sizes_from_data_fail_as_memory_errors_instead_of_aborting(source: str) -> None:
    # Django raises MemoryError (or runs until it does); the engine used to abort the
    # whole process on the allocation. Now it refuses before allocating.
    context = {"x": "a", "n": 10**12}
    with pytest.raises(MemoryError) as err:
        Engine().from_string(source).render(context)
    assert isinstance(err.value, djust.exceptions.TemplateSizeError)
    assert "max_generated_size" in str(err.value)


def test_the_size_limit_is_an_engine_option_and_ordinary_sizes_render_as_django() -> None:
    source = "{{ x|rjust:n }}|{{ x|center:9 }}|{{ 3|stringformat:'05d' }}|{{ 1.5|floatformat:3 }}"
    context = {"x": "ab", "n": 100_000}
    assert Engine().from_string(source).render(context) == django_render(source, context)
    small = Engine(max_generated_size=1000)
    with pytest.raises(MemoryError):
        small.from_string("{{ x|rjust:1001 }}").render({"x": "a"})
    assert len(small.from_string("{{ x|rjust:1000 }}").render({"x": "a"})) == 1000
    words = small.from_string("{% lorem 100 w %}").render({})
    assert len(words.split()) == 100


@pytest.mark.parametrize("spec", [".1500f", ".70000f", ".1500e", ".70000E", ".2000g", "080000.3f", ".1200f"])
@pytest.mark.parametrize("value", [1.5, 5e-324, 1e308, -0.1, 3])
def test_long_precisions_print_as_python_prints_them(spec: str, value: float) -> None:
    # Rust's formatter stops at 65,535 decimals (it used to panic past them); Python's
    # does not. Past 1,100 decimals an f64's expansion is all zeros.
    source = "{{ v|stringformat:s }}"
    assert Engine().from_string(source).render({"v": value, "s": spec}) == django_render(
        source, {"v": value, "s": spec}
    )
