"""A project's own tag libraries through ``DjustTemplates``: every kind Django's
``Library`` registers renders byte-identically to ``DjangoTemplates`` with the same
``OPTIONS``; ``{% load x from lib %}`` loads only ``x``; user code's exceptions escape
unchanged; and only ``@register.tag`` compile functions run through Django's parser."""

import datetime

import pytest
from conftest import TEMPLATES
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.backends.django import DjangoTemplates
from django.utils import timezone
from djust_test_tags import Boom

from djust.template.backends import DjustTemplates
from djust.template.library import Host


def backends(**options):
    params = {
        "NAME": "x",
        "DIRS": [TEMPLATES],
        "APP_DIRS": False,
        "OPTIONS": {"libraries": {"shop": "djust_test_tags"}, **options},
    }
    return DjustTemplates(dict(params)), DjangoTemplates(dict(params))


class Product:
    def __init__(self, name: str) -> None:
        self.name = name


CONTEXT = {
    "amount": 3.5,
    "word": "tea <b>",
    "safe_word": None,
    "user_name": "Ana <x>",
    "products": [Product("Tea <green>"), Product("Coffee")],
    "q": "a&b",
    "when": datetime.datetime(2026, 3, 29, 0, 30, tzinfo=datetime.timezone.utc),
}

SOURCE = """{% load shop %}
{{ amount|price }} {{ amount|price:"USD" }} {{ word|shout }} {{ word|bold }}
{% autoescape off %}{{ word|bold }}{% endautoescape %} {{ when|hour }}
{% greet "Bo" %} {% greet "Bo" "Hi" punctuation="?" %} {% greet name=word %}
{% greet "Bo" as said %}[{{ said }}] {% whoami "me:" %} {% total 1 2 3 times=2 %}
{% for p in products %}{% item p extra=forloop.counter %}{% endfor %}{% first_item %}
{% box %}in {{ word }}{% endbox %} {% box kind="warn" %}x{% endbox %} {% box as b %}y{% endbox %}[{{ b }}]
{% framed %}{{ q }}{% endframe %}
{% upper %}up {{ word }} {% greet "in" %}{% endupper %} {% upper as u %}v{% endupper %}[{{ u }}]
{% with word="inner" %}{% upper %}{{ word }}{% endupper %}{% endwith %}
{% for p in products %}{% upper %}{{ forloop.counter }}{{ p.name }}{% endupper %}{% endfor %}
"""


@pytest.mark.parametrize("options", [{}, {"string_if_invalid": "INVALID"}, {"debug": True}])
def test_every_kind_of_library_tag_renders_as_django_does(options) -> None:
    ours, theirs = backends(**options)
    with timezone.override("Europe/Paris"):
        expected = theirs.from_string(SOURCE).render(CONTEXT)
        before = Host.compiled
        got = ours.from_string(SOURCE).render(CONTEXT)
        compiled = Host.compiled - before
    assert got == expected
    # What the template exercised, so that equality means something.
    assert "3.50 EUR 3.50 USD TEA &lt;B&gt;! <b>tea &lt;b&gt;</b>" in got
    # Autoescape off; 00:30 UTC is 01:30 in Paris, half an hour before the DST change.
    assert "<b>tea <b></b> 1hTrue" in got
    assert "Hello, Bo! Hi, Bo? Hello, tea &lt;b&gt;!" in got
    assert "[Hello, Bo!] me:Ana &lt;x&gt;<i>True</i> 12" in got
    assert (
        "<li>Tea &lt;green&gt;1</li>" in got
        and "<li>Coffee2</li>" in got
        and "<li>Tea &lt;green&gt;a&amp;b</li>" in got
    )
    assert '<div class="note">in tea &lt;b&gt;</div> <div class="warn">x</div> [<div class="note">y</div>]' in got
    assert "[a&amp;b:a&amp;b]" in got
    assert "UP TEA &LT;B&GT; HELLO, IN! [V]\nINNER" in got
    # A Django node sees the template's `forloop` as Django's dict.
    assert "1TEA &LT;GREEN&GT;2COFFEE" in got
    # Only the @register.tag tag (four uses) went through Django's parser.
    assert compiled == 4


def test_load_from_a_library_brings_in_only_the_named_tags_and_filters() -> None:
    ours, theirs = backends()
    source = "{% load greet price from shop %}{% greet 'x' %} {{ 2|price }}"
    assert ours.from_string(source).render({}) == theirs.from_string(source).render({}) == "Hello, x! 2.00 EUR"
    for backend in (ours, theirs):
        with pytest.raises(TemplateSyntaxError, match="Invalid filter: 'shout'"):
            backend.from_string("{% load greet from shop %}{{ 'a'|shout }}")
        with pytest.raises(TemplateSyntaxError, match="'nope' is not a valid tag or filter in tag library 'shop'"):
            backend.from_string("{% load nope from shop %}")


def test_argument_errors_are_djangos_at_compile_time() -> None:
    ours, theirs = backends()
    for source in (
        "{% load shop %}{% greet %}",
        "{% load shop %}{% greet 'a' 'b' 'c' %}",
        "{% load shop %}{% greet 'a' colour=1 %}",
        "{% load shop %}{% greet name='a' 'b' %}",
        "{% load shop %}{{ 1|price:1|shout:2 }}",
        "{% load shop %}{% upper x %}{% endupper %}",
    ):
        messages = []
        for backend in (ours, theirs):
            with pytest.raises(TemplateSyntaxError) as caught:
                backend.from_string(source)
            # djust's exception adds the location to str(); `message` is Django's text.
            messages.append(getattr(caught.value, "message", str(caught.value)))
        assert messages[0] == messages[1], source


def test_a_filters_exception_escapes_the_render_unchanged() -> None:
    ours, _ = backends()
    with pytest.raises(Boom, match="boom on 7"):
        ours.from_string("{% load shop %}{{ 7|boom }}").render({})


def test_compiling_host_tags_is_linear_in_the_template() -> None:
    """A template's tokens go to Django's parser once per parse, however many
    ``@register.tag`` uses it has (one Django ``Parser`` serves them in order, as in
    Django); before, each use converted every token after it."""
    from django.template.base import Lexer

    source = "{% load shop %}" + "{% upper %}x{{ word }}{% endupper %}<br>{% greet 'a' %}" * 200
    ours, theirs = backends()
    before = (Host.compiled, Host.tokens_converted)
    rendered = ours.from_string(source).render({"word": "w"})
    assert rendered == theirs.from_string(source).render({"word": "w"})
    assert Host.compiled - before[0] == 200
    assert Host.tokens_converted - before[1] == len(Lexer(source).tokenize())


def test_inclusion_tags_and_include_take_a_list_of_names_or_a_template_object() -> None:
    """Django's ``InclusionNode`` and ``IncludeNode``: a list of names is
    ``select_template`` (the first that exists), a template object is the template;
    both render natively (no Python node)."""
    from django.template import Template as DjangoTemplate

    ours, theirs = backends()
    source = "{% load shop %}{% first_found 'a<b' %}|{% include names with name='n' %}|{% include part with name='p' %}"
    before = Host.compiled
    outputs = []
    for backend in (ours, theirs):
        context = {
            "names": ["missing.html", "named.html"],
            "part": DjangoTemplate("<i>{{ name }}</i>") if backend is theirs else ours.from_string("<i>{{ name }}</i>"),
        }
        outputs.append(backend.from_string(source).render(context))
    # A literal argument is safe (Django marks string literals safe).
    assert outputs[0] == outputs[1] == "<b>a<b</b>\n|<b>n</b>\n|<i>p</i>"
    assert Host.compiled == before
    with pytest.raises(TemplateDoesNotExist, match="missing.html, gone.html"):
        ours.from_string("{% include names %}").render({"names": ("missing.html", "gone.html")})


def test_what_a_takes_context_tag_sets_is_seen_by_the_rest_of_its_scope() -> None:
    source = (
        "{% load shop %}[{{ remembered }}]{% remember 'x' %}[{{ remembered }}]"
        "{% with a=1 %}{% remember 'y' %}[{{ remembered }}]{% endwith %}[{{ remembered }}]"
    )
    ours, theirs = backends()
    assert ours.from_string(source).render({}) == theirs.from_string(source).render({}) == "[][x][y][x]"


def test_a_compile_functions_exception_escapes_unchanged_at_compile_and_at_include() -> None:
    """Django's ``Parser.parse`` attaches the token to a compile function's exception and
    raises it as it is (``test_include_fail1``, ``test_include_error07``)."""
    for backend in backends():
        with pytest.raises(Boom, match="I am a broken tag"):
            backend.from_string("{% load shop %}{% broken %}")
    ours, theirs = backends()
    for backend in (ours, theirs):
        with pytest.raises(Boom, match="I am a broken tag"):
            backend.get_template("broken_tag.html")
        page = backend.from_string("before {% include 'broken_tag.html' %}")
        with pytest.raises(Boom, match="I am a broken tag"):
            page.render({})
    # The exception is not kept for the next compile.
    assert ours.from_string("{% load shop %}{{ 2|price }}").render({}) == "2.00 EUR"


def test_a_for_loop_unpacking_the_wrong_number_of_values_raises_value_error() -> None:
    ours, theirs = backends()
    source = "{% for a, b in items %}{{ a }}{% endfor %}"
    messages = []
    for backend in (ours, theirs):
        with pytest.raises(ValueError) as caught:
            backend.from_string(source).render({"items": [(1, 2, 3)]})
        messages.append(getattr(caught.value, "message", str(caught.value)))
    assert messages[0] == messages[1] == "Need 2 values to unpack in for loop; got 3. "


def test_unknown_libraries_list_the_known_ones() -> None:
    ours, theirs = backends()
    for backend in (ours, theirs):
        with pytest.raises(TemplateSyntaxError, match="'nope' is not a registered tag library. Must be one of:") as e:
            backend.from_string("{% load nope %}")
        assert "\nshop\n" in str(e.value) and "\ntz" in str(e.value)


def test_builtins_are_available_without_load() -> None:
    ours, theirs = backends(builtins=["djust_test_tags"])
    source = "{{ 2|price }} {% greet 'b' %} {% upper %}u{% endupper %}"
    assert ours.from_string(source).render({}) == theirs.from_string(source).render({}) == "2.00 EUR Hello, b! U"


def test_contrib_libraries_tz_and_l10n_render_as_django_does() -> None:
    ours, theirs = backends()
    source = (
        "{% load tz l10n %}{{ when|localtime }} {{ when|utc }} {{ when|timezone:'America/New_York' }}"
        " {% timezone 'Asia/Tokyo' %}{{ when }}{% endtimezone %} {% get_current_timezone as TZ %}{{ TZ }}"
        " {{ big|localize }} {{ big|unlocalize }} {% localize off %}{{ big }}{% endlocalize %}"
    )
    context = {**CONTEXT, "big": 1234567.5}
    with timezone.override("Europe/Paris"):
        got = ours.from_string(source).render(context)
        assert got == theirs.from_string(source).render(context)
    assert "Asia/Tokyo" not in got and "Europe/Paris" in got and "1234567.5" in got


def test_the_liveview_backend_built_from_django_templates_keeps_its_libraries_and_debug() -> None:
    """A project that keeps `DjangoTemplates` gets a djust backend for its LiveViews with
    the same libraries, builtins, debug and string_if_invalid."""
    from django.test import override_settings

    from djust.template import backend

    settings = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [TEMPLATES],
            "OPTIONS": {
                "debug": True,
                "libraries": {"shop": "djust_test_tags"},
                "builtins": ["djust_test_tags"],
                "string_if_invalid": "??",
            },
        }
    ]
    backend.cache_clear()
    try:
        with override_settings(TEMPLATES=settings):
            ours = backend()
            assert isinstance(ours, DjustTemplates) and ours.debug is True
            source = "{% load price from shop %}{{ 2|price }} {% greet 'b' %} {{ nope }}"
            assert ours.from_string(source).render({}) == "2.00 EUR Hello, b! ??"
    finally:
        backend.cache_clear()
