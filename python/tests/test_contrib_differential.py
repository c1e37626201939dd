"""Django's contrib tag libraries through ``DjustTemplates``, against ``DjangoTemplates``
with the same options, byte for byte: ``tz`` in three time zones around their DST
changes, ``l10n`` in two locales with and without thousand separators, and
``humanize``."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from conftest import TEMPLATES
from django.template.backends.django import DjangoTemplates
from django.test import override_settings
from django.utils import timezone, translation

from djust.template.backends import DjustTemplates

PARAMS = {"NAME": "x", "DIRS": [TEMPLATES], "APP_DIRS": False, "OPTIONS": {}}


def both(source: str, context: dict) -> tuple[str, str]:
    ours = DjustTemplates(dict(PARAMS)).from_string(source).render(context)
    theirs = DjangoTemplates(dict(PARAMS)).from_string(source).render(context)
    return ours, theirs


UTC = datetime.timezone.utc
# Each zone's DST changes in 2026, a minute before, at and half an hour after (UTC).
MOMENTS = {
    "Europe/Paris": [
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    ],
    "America/New_York": [
        datetime.datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        datetime.datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
    ],
    "Australia/Sydney": [
        datetime.datetime(2026, 4, 4, 16, 0, tzinfo=UTC),
        datetime.datetime(2026, 10, 3, 16, 0, tzinfo=UTC),
    ],
}
EDGES = [datetime.timedelta(minutes=-1), datetime.timedelta(0), datetime.timedelta(minutes=30)]

TZ_SOURCE = (
    "{% load tz %}{{ when }}|{{ when|localtime }}|{{ when|utc }}|{{ when|timezone:'Asia/Tokyo' }}"
    "|{% localtime off %}{{ when }}{% endlocaltime %}|{% timezone 'America/New_York' %}{{ when }}{% endtimezone %}"
    "|{% get_current_timezone as TZ %}{{ TZ }}|{{ when|date:'c e O T I' }}|{{ naive|localtime }}|{{ naive }}"
)


@pytest.mark.parametrize("zone", sorted(MOMENTS))
def test_tz_renders_as_django_around_dst_changes(zone) -> None:
    for change in MOMENTS[zone]:
        for edge in EDGES:
            when = change + edge
            context = {"when": when, "naive": datetime.datetime(2026, 7, 1, 12, 0)}
            with timezone.override(zoneinfo.ZoneInfo(zone)):
                ours, theirs = both(TZ_SOURCE, context)
            assert ours == theirs, (zone, when)
    assert zone in ours


TZ_TAGS_SOURCE = (
    "{% load tz %}{% timezone outer %}{% get_current_timezone as A %}{{ A }} {{ when }}"
    "{% timezone inner %}{% get_current_timezone as B %}{{ B }} {{ when }} {{ when|date:'H:i e' }}"
    "{% localtime off %}{{ when }}{% localtime %}{{ when }}{% endlocaltime %}{% endlocaltime %}{% endtimezone %}"
    "{% get_current_timezone as C %}{{ C }} {{ when }}{% endtimezone %}{% timezone None %}{{ when }}{% endtimezone %}"
)


@pytest.mark.parametrize("use_tz", [True, False])
def test_tz_tags_are_native_and_nest_as_djangos(use_tz, monkeypatch) -> None:
    """``{% localtime %}``, ``{% timezone %}`` and ``{% get_current_timezone %}`` are
    parsed and rendered by the engine (Django's nodes never run), nested, with a zone
    given as a name, a ``tzinfo`` or ``None`` (the default zone), with and without
    ``USE_TZ`` (``{% localtime on %}`` converts even without it), as Django renders
    them."""
    from django.templatetags import tz as tz_library

    when = datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    context = {"when": when, "outer": "Asia/Tokyo", "inner": zoneinfo.ZoneInfo("America/New_York")}
    with override_settings(USE_TZ=use_tz, TIME_ZONE="Europe/Paris"):
        theirs = DjangoTemplates(dict(PARAMS)).from_string(TZ_TAGS_SOURCE).render(context)
        for node in (tz_library.LocalTimeNode, tz_library.TimezoneNode, tz_library.GetCurrentTimezoneNode):
            monkeypatch.setattr(node, "render", lambda *a: pytest.fail("Django's tz node ran"))
        ours = DjustTemplates(dict(PARAMS)).from_string(TZ_TAGS_SOURCE).render(context)
    assert ours == theirs
    assert "Asia/Tokyo" in ours and "America/New_York" in ours
    # With USE_TZ, the zone converts everything; without it, only `{% localtime on %}`.
    assert ("21:00 EDT" in ours) == use_tz and "March 28, 2026, 9 p.m." in ours


@pytest.mark.parametrize(
    ("source", "message", "raised"),
    [
        ("{% load tz %}{% localtime maybe %}{% endlocaltime %}", "'localtime' argument should be 'on' or 'off'", None),
        ("{% load tz %}{% timezone %}{% endtimezone %}", "'timezone' takes one argument (timezone)", None),
        (
            "{% load tz %}{% get_current_timezone %}",
            "'get_current_timezone' requires 'as variable' (got ['get_current_timezone'])",
            None,
        ),
        (
            "{% load tz %}{% timezone 'Nowhere/Atlantis' %}x{% endtimezone %}",
            "Nowhere/Atlantis",
            "ZoneInfoNotFoundError",
        ),
    ],
)
def test_tz_tag_errors_are_djangos(source, message, raised) -> None:
    """The tags' syntax errors are Django's ``TemplateSyntaxError`` with Django's
    messages; an unknown zone raises ``zoneinfo``'s error unchanged, as in Django."""
    from django.template import TemplateSyntaxError

    for backend in (DjustTemplates, DjangoTemplates):
        with pytest.raises(Exception) as caught:
            backend(dict(PARAMS)).from_string(source).render({})
        if raised is None:
            assert isinstance(caught.value, TemplateSyntaxError), backend
        else:
            assert type(caught.value).__name__ == raised, backend
        assert message in str(caught.value), backend


ZONE_SOURCE = (
    "{% load tz %}{{ naive|date:'e|O|T|Z|I|r|U' }}|{{ naive|time:'e:T' }}|{{ naive|date:'\\T \\e' }}"
    "|{% localtime off %}{{ fixed|date:'e O T' }}|{{ fixed|time:'e:O:T:Z' }}{% endlocaltime %}|{{ fixed|date:'e T' }}"
)


@pytest.mark.parametrize("zone", ["UTC", "America/Chicago", "Asia/Kolkata"])
def test_zone_formats_of_naive_and_fixed_offset_datetimes_are_djangos(zone) -> None:
    """A naive datetime is in ``TIME_ZONE`` for ``e O T Z I r U``; a fixed-offset zone keeps
    its name (``get_fixed_timezone(195)`` is ``+0315``; Django's ``test_date06``,
    ``test_time01``, ``test_time02``)."""
    context = {
        "naive": datetime.datetime(2026, 7, 1, 12, 0),
        "fixed": datetime.datetime(2009, 3, 12, 4, 0, tzinfo=timezone.get_fixed_timezone(195)),
    }
    with override_settings(TIME_ZONE=zone):
        ours, theirs = both(ZONE_SOURCE, context)
    assert ours == theirs
    assert "+0315" in ours


@pytest.mark.parametrize("use_tz", [False, True])
def test_now_and_the_age_of_naive_values_are_in_time_zone(use_tz) -> None:
    """``{% now %}`` is ``datetime.now()`` in the current time zone (``USE_TZ``) or the
    process's local time, and ``timesince`` of a naive value counts from local time:
    with ``TIME_ZONE`` six hours from UTC, not from UTC (Django's ``test_timeuntil10``)."""
    with override_settings(TIME_ZONE="America/Chicago", USE_TZ=use_tz):
        naive = datetime.datetime.now() - datetime.timedelta(hours=2, minutes=1)
        before = datetime.datetime.now(zoneinfo.ZoneInfo("America/Chicago") if use_tz else None)
        ours, theirs = both("{{ naive|timesince }}|{{ naive|timeuntil }}|{% now 'Y-m-d H' %}", {"naive": naive})
        after = datetime.datetime.now(zoneinfo.ZoneInfo("America/Chicago") if use_tz else None)
    assert ours.split("|")[:2] == theirs.split("|")[:2] == ["2\xa0hours, 1\xa0minute", "0\xa0minutes"]
    assert ours.split("|")[2] in {before.strftime("%Y-%m-%d %H"), after.strftime("%Y-%m-%d %H")}


def test_everything_inside_language_is_in_that_language() -> None:
    """``{% language %}`` is Django's ``translation.override``: a library's filters, the
    locale's numbers and dates, and ``{% translate %}`` inside it are in that language;
    after it, the outer one again."""
    source = (
        "{% load humanize i18n %}{% language 'fr' %}{{ big|intcomma }} {{ ratio }} {{ day|date }} {{ 3|ordinal }}"
        " {% translate 'January' %}{% endlanguage %}|{{ big|intcomma }} {{ ratio }} {{ day|date }}"
    )
    context = {"big": 1234567, "ratio": 1.5, "day": datetime.date(2026, 12, 3)}
    for outer in ("en", "de"):
        with translation.override(outer):
            ours, theirs = both(source, context)
            assert translation.get_language() == outer
        assert ours == theirs
        assert ours.startswith("1\xa0234\xa0567 1,5 3 décembre 2026 3<sup>e</sup> janvier|")


def test_underscore_literals_are_translated_at_each_render_in_the_active_language() -> None:
    """``_("…")`` in a variable, a filter argument and a ``{% cycle %}`` value is Django's
    ``gettext_lazy`` (its ``%`` doubled): translated when rendered, not when compiled
    (Django's ``test_i18n13``–``15``)."""
    source = (
        '{{ _("January") }}|{% cycle "x" _("January") as c %} {% cycle c %}|{{ absent|default:_("January") }}'
        '|{{ _("100%") }}|{% language "fr" %}{{ _("January") }}{% endlanguage %}'
    )
    ours_template = DjustTemplates(dict(PARAMS)).from_string("{% load i18n %}" + source)
    theirs_template = DjangoTemplates(dict(PARAMS)).from_string("{% load i18n %}" + source)
    for language, month in [("de", "Januar"), ("en", "January")]:
        with translation.override(language):
            ours, theirs = ours_template.render({}), theirs_template.render({})
        assert ours == theirs
        assert ours.startswith(month + "|")
    assert "|100%%|janvier" in ours


L10N_SOURCE = (
    "{% load l10n %}{{ big }}|{{ price }}|{{ ratio }}|{{ day }}|{{ moment }}|{{ big|localize }}|{{ big|unlocalize }}"
    "|{% localize off %}{{ big }} {{ price }}{% endlocalize %}|{% localize on %}{{ ratio }}{% endlocalize %}"
    "|{{ price|floatformat:2 }}|{{ ratio|floatformat:'3g' }}|{{ day|date }}|{{ day|date:'SHORT_DATE_FORMAT' }}"
)


@pytest.mark.parametrize("language", ["fr", "de"])
@pytest.mark.parametrize("separator", [False, True])
def test_l10n_renders_as_django_in_two_locales(language, separator) -> None:
    context = {
        "big": 1234567,
        "price": Decimal("98765.4321"),
        "ratio": 1234.5,
        "day": datetime.date(2026, 12, 2),
        "moment": datetime.datetime(2026, 12, 2, 16, 5, tzinfo=UTC),
    }
    with override_settings(USE_THOUSAND_SEPARATOR=separator), translation.override(language):
        ours, theirs = both(L10N_SOURCE, context)
    assert ours == theirs
    grouped = {"fr": "1\xa0234\xa0567|98\xa0765,4321|1\xa0234,5|", "de": "1.234.567|98.765,4321|1.234,5|"}
    plain = {"fr": "1234567|98765,4321|1234,5|", "de": "1234567|98765,4321|1234,5|"}
    assert ours.startswith((grouped if separator else plain)[language])


LOCALIZE_SOURCE = (
    "{% load l10n %}{% for v in values %}{{ v }};{% endfor %}|{% localize off %}{% for v in values %}{{ v }};"
    "{% endfor %}{% localize %}{{ values.0 }} {{ values.2 }}{% endlocalize %} {{ values.1 }}{% endlocalize %}"
)


@pytest.mark.parametrize("language", ["fr", "de", "en"])
def test_localize_tag_is_native_and_writes_as_djangos(language, monkeypatch) -> None:
    """``{% localize off %}`` is rendered by the engine (Django's ``LocalizeNode`` never
    runs): inside it every number and date is written as Django's ``localize(value,
    use_l10n=False)`` writes it, with the settings' separators and formats rather than
    the locale's, and ``{% localize %}`` inside it turns localization back on."""
    from django.templatetags import l10n as l10n_library

    values = [
        1234567,
        Decimal("98765.4321"),
        1234.5,
        10**20,
        True,
        datetime.date(2026, 12, 2),
        datetime.datetime(2026, 12, 2, 16, 5),
        datetime.time(16, 5),
        "text",
        None,
    ]
    settings = {
        "USE_THOUSAND_SEPARATOR": True,
        "DECIMAL_SEPARATOR": "#",
        "THOUSAND_SEPARATOR": "_",
        "NUMBER_GROUPING": 2,
        "DATE_FORMAT": "Y/m/d",
        "DATETIME_FORMAT": "Y/m/d H:i",
        "TIME_FORMAT": "H.i",
    }
    with override_settings(**settings), translation.override(language):
        theirs = DjangoTemplates(dict(PARAMS)).from_string(LOCALIZE_SOURCE).render({"values": values})
        monkeypatch.setattr(l10n_library.LocalizeNode, "render", lambda *a: pytest.fail("Django's node ran"))
        ours = DjustTemplates(dict(PARAMS)).from_string(LOCALIZE_SOURCE).render({"values": values})
    assert ours == theirs
    assert "|1234567;98765.4321;1234.5;100000000000000000000;True;2026/12/02;2026/12/02 16:05;16.05;" in ours


def test_localize_tag_error_is_djangos() -> None:
    from django.template import TemplateSyntaxError

    for backend in (DjustTemplates, DjangoTemplates):
        with pytest.raises(TemplateSyntaxError, match="'localize' argument should be 'on' or 'off'"):
            backend(dict(PARAMS)).from_string("{% load l10n %}{% localize maybe %}{% endlocalize %}")


HUMANIZE_SOURCE = (
    "{% load humanize %}{{ n|intcomma }}|{{ big|intword }}|{{ 7|apnumber }}|{{ 3|ordinal }}|{{ 22|ordinal }}"
    "|{{ price|intcomma }}|{{ today|naturalday }}|{{ long_ago|naturalday:'Y-m-d' }}|{{ long_ago|naturaltime }}"
)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_humanize_renders_as_django(language) -> None:
    context = {
        "n": 4500123,
        "big": 1_200_000_000,
        "price": Decimal("1234.50"),
        "today": datetime.date.today(),
        "long_ago": timezone.now() - datetime.timedelta(days=400),
    }
    with translation.override(language):
        ours, theirs = both(HUMANIZE_SOURCE, context)
    assert ours == theirs
    assert ours.startswith(
        "4,500,123|1.2 billion|seven|3rd|22nd" if language == "en" else "4\xa0500\xa0123|1,2\xa0milliard"
    )


class _Twelve:
    """An object ``int()`` takes: only Python can say what it is."""

    def __int__(self) -> int:
        return 12

    def __str__(self) -> str:
        return "twelve"


NATIVE_HUMANIZE = (
    "{% load humanize %}{% for v in values %}{{ v|intcomma }} {{ v|intcomma:False }} {{ v|ordinal }} "
    "{{ v|apnumber }} {{ v|intword }};{% endfor %}"
)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("separator", [False, True])
def test_humanize_number_filters_are_native_and_djangos(language, separator, monkeypatch) -> None:
    """``intcomma``, ``ordinal``, ``apnumber`` and ``intword`` run in the engine (Django's functions
    are called only for what only Python can decide: here an object with ``__int__``),
    byte-identical to Django in three languages, with and without
    ``USE_THOUSAND_SEPARATOR``."""
    import functools

    from django.contrib.humanize.templatetags import humanize

    calls = []
    for name in ("intcomma", "ordinal", "apnumber", "intword"):
        original = humanize.register.filters[name]

        @functools.wraps(original)
        def spy(*args, _original=original, **kwargs):
            calls.append(args[0])
            return _original(*args, **kwargs)

        monkeypatch.setitem(humanize.register.filters, name, spy)
    values = [
        0,
        1,
        2,
        3,
        7,
        11,
        12,
        13,
        22,
        101,
        111,
        -3,
        1234567,
        -1234567,
        True,
        1234.5,
        1e15,
        1e20,
        2**53 + 1,
        999_999,
        1_000_000,
        -1_250_000,
        999_950_000,
        1_200_000_000,
        4_500_000_000_000_000,
        1.5e9,
        "2000000",
        Decimal("1200000.7"),
        0.5,
        Decimal("1234.50"),
        Decimal("-0.5"),
        "12345",
        "12345abc",
        "x",
        "",
        None,
        "<b>1000</b>",
        [1, 2],
    ]
    with override_settings(USE_THOUSAND_SEPARATOR=separator), translation.override(language):
        ours, theirs = both(NATIVE_HUMANIZE, {"values": values})
        assert ours == theirs
        calls.clear()
        ours = DjustTemplates(dict(PARAMS)).from_string(NATIVE_HUMANIZE).render({"values": values})
        assert ours == theirs
        # Only `int(1e20)` (past 64 bits: `ordinal`, `apnumber`, `intword`) and
        # `intword(2**53 + 1)` (its quotient needs Python's division) were asked of Python.
        assert calls == [1e20, 1e20, 1e20, 2**53 + 1]
        mixed = {"values": [_Twelve()]}
        assert both(NATIVE_HUMANIZE, mixed)[0] == both(NATIVE_HUMANIZE, mixed)[1]
    assert any(isinstance(c, _Twelve) for c in calls)


class _Labelled:
    """A vary-on value only Python can write (its ``str``)."""

    def __str__(self) -> str:
        return "labelled"


CACHE_VARY_ON = [1, "two words", Decimal("1.50"), datetime.date(2026, 12, 3), None, True, [1, "a"], _Labelled()]


def test_cache_tag_is_native_and_shares_djangos_fragment_cache(monkeypatch) -> None:
    """``{% cache %}`` is parsed and rendered by the engine (Django's ``CacheNode`` never
    runs) and keeps its fragments in Django's cache under Django's keys: a fragment one
    backend stored is the one the other serves, for every kind of vary-on value, and
    ``make_template_fragment_key`` deletes it. A miss renders the body; the timeout and
    ``using=`` choose as in Django."""
    from django.core.cache import cache
    from django.core.cache.utils import make_template_fragment_key
    from django.templatetags import cache as cache_library

    theirs_engine = DjangoTemplates(dict(PARAMS))
    ours_engine = DjustTemplates(dict(PARAMS))
    body = "{% load cache %}{% cache 60 greeting v %}{{ who }}{% endcache %}"
    for value in CACHE_VARY_ON:
        cache.clear()
        # Django stores, djust serves; djust stores, Django serves.
        assert theirs_engine.from_string(body).render({"v": value, "who": "django"}) == "django"
        original_render = cache_library.CacheNode.render
        monkeypatch.setattr(cache_library.CacheNode, "render", lambda *a: pytest.fail("Django's CacheNode ran"))
        assert ours_engine.from_string(body).render({"v": value, "who": "djust"}) == "django", value
        cache.delete(make_template_fragment_key("greeting", [value]))
        assert ours_engine.from_string(body).render({"v": value, "who": "djust"}) == "djust", value
        monkeypatch.setattr(cache_library.CacheNode, "render", original_render)
        assert theirs_engine.from_string(body).render({"v": value, "who": "django"}) == "djust", value

    cache.clear()
    source = "{% load cache %}{% cache 60 greeting who %}Hello {{ name }}{% endcache %}"
    ours = ours_engine.from_string(source)
    assert ours.render({"name": "Ana", "who": 1}) == "Hello Ana"
    assert ours.render({"name": "Bo", "who": 1}) == "Hello Ana"
    assert ours.render({"name": "Bo", "who": 2}) == "Hello Bo"
    # A timeout of 0 stores nothing (Django's cache: expires at once); `None` is forever.
    forever = "{% load cache %}{% cache t f %}{{ n }}{% endcache %}"
    assert [ours_engine.from_string(forever).render({"t": 0, "n": n}) for n in (1, 2)] == ["1", "2"]
    assert [ours_engine.from_string(forever).render({"t": None, "n": n}) for n in (3, 4)] == ["3", "3"]


@pytest.mark.parametrize(
    ("source", "context", "message"),
    [
        ("{% load cache %}{% cache %}{% endcache %}", {}, "''cache'' tag requires at least 2 arguments."),
        ("{% load cache %}{% cache 1 %}{% endcache %}", {}, "''cache'' tag requires at least 2 arguments."),
        ("{% load cache %}{% cache t f %}x{% endcache %}", {"t": "soon"}, "non-integer timeout value: 'soon'"),
        ("{% load cache %}{% cache t f %}x{% endcache %}", {"t": [1]}, "non-integer timeout value: [1]"),
        (
            '{% load cache %}{% cache 1 f using="nowhere" %}x{% endcache %}',
            {},
            "Invalid cache name specified for cache tag: 'nowhere'",
        ),
        ("{% load cache %}{% cache 1 f %}{% if %}{% endcache %}", {}, "Unexpected end of expression in if tag."),
    ],
)
def test_cache_tag_errors_are_djangos(source, context, message) -> None:
    """The tag's syntax and render errors are Django's ``TemplateSyntaxError``, with
    Django's messages."""
    from django.template import TemplateSyntaxError

    for backend in (DjustTemplates, DjangoTemplates):
        with pytest.raises(TemplateSyntaxError) as raised:
            backend(dict(PARAMS)).from_string(source).render(context)
        assert message in str(raised.value), backend


def test_cache_tag_uses_template_fragments_before_default_and_using_names_another() -> None:
    """Without ``using=`` the ``template_fragments`` cache, when configured, holds the
    fragment; ``using="default"`` puts it in ``default`` (Django's order)."""
    from django.core.cache import caches

    locmem = "django.core.cache.backends.locmem.LocMemCache"
    configured = {
        "default": {"BACKEND": locmem, "LOCATION": "default"},
        "template_fragments": {"BACKEND": locmem, "LOCATION": "fragments"},
    }
    with override_settings(CACHES=configured):
        engine = DjustTemplates(dict(PARAMS))
        plain = engine.from_string("{% load cache %}{% cache 60 f %}foo{% endcache %}")
        named = engine.from_string('{% load cache %}{% cache 60 f using="default" %}bar{% endcache %}')
        assert (plain.render({}), named.render({})) == ("foo", "bar")
        from django.core.cache.utils import make_template_fragment_key

        key = make_template_fragment_key("f")
        assert caches["template_fragments"].get(key) == "foo"
        assert caches["default"].get(key) == "bar"


def test_in_english_dates_are_formatted_by_the_engine(monkeypatch) -> None:
    """The engine's own formatting is Django's defaults: in `en`/`en-us` a date is not
    handed to Django's `formats` (one call per value would cost a render its speed);
    in another language it is."""
    from django.utils import formats

    calls = []
    original = formats.date_format
    monkeypatch.setattr(formats, "date_format", lambda *a, **k: calls.append(a) or original(*a, **k))
    source = "{% for d in days %}{{ d }}|{{ d|date:'N j' }}|{% endfor %}"
    context = {"days": [datetime.date(2026, 12, d) for d in (1, 2, 3)]}
    ours = DjustTemplates(dict(PARAMS)).from_string(source)
    theirs = DjangoTemplates(dict(PARAMS)).from_string(source)
    for language, expected_calls, month in [("en", 0, "Dec. 1"), ("de", 6, "Dez. 1")]:
        calls.clear()
        with translation.override(language):
            got = ours.render(context)
            assert len(calls) == expected_calls, language
            assert got == theirs.render(context) and month in got
