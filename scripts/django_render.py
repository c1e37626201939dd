#!/usr/bin/env python3
"""Render the template corpus with Django itself: the reference for the Rust engine.

Usage: django_render.py CORPUS.json EXPECTED.json

The corpus: {"contexts": {name: context}, "templates": {name: {template name: source}},
"cases": [...]}. Each case: {"name", "template", "context" (a context or the name of a
shared one), "templates"? (a dict or the name of a shared set), "main"? (render this
template by name instead of "template"), "string_if_invalid"?, "autoescape"?}. Context values are JSON, plus tagged objects: {"$decimal": "1.50"},
{"$tuple": [...]}, {"$safe": "<b>"}, {"$date": "2024-03-05"},
{"$datetime": "2024-03-05T14:07:09"}, {"$time": "14:07"}, {"$querydict": "a=1&a=2"}; a
case's "request_get" (a query string) becomes `context.request.GET`. TIME_ZONE is UTC, the
engine's default zone for naive datetimes. The output maps each case name to
{"ok": rendered} or {"error": {"class": ExceptionClass, "message": str(exc)}}.
Requires Django 5.2 (pip install "django>=5.2,<5.3").
"""

import json
import sys
import types
from datetime import date, datetime, time
from decimal import Decimal

import django
from django.conf import settings

# The URLconf the `url` cases reverse against (the Rust test host mirrors it).
urls = types.ModuleType("corpus_urls")
sys.modules["corpus_urls"] = urls

settings.configure(
    USE_TZ=False,
    TIME_ZONE="UTC",
    ROOT_URLCONF="corpus_urls",
    STATIC_URL="/static/",
    MEDIA_URL="/media/<&>/",
    LANGUAGES=[("en", "English"), ("de", "German"), ("ar", "Arabic"), ("pt-br", "Brazilian Portuguese")],
    INSTALLED_APPS=[],
    TEMPLATES=[],
)
django.setup()

from django.http import QueryDict
from django.template import Context, Engine
from django.urls import path


def _view(request, **kwargs):
    return None


# A tag library registered as "corpus_tags" (the Rust test registers the same tags).
tags = types.ModuleType("corpus_tags")
sys.modules["corpus_tags"] = tags
from django import template as _template
from django.utils.html import format_html

register = _template.Library()
tags.register = register


@register.simple_tag
def hello(name):
    return f"Hello {name}!"


@register.simple_tag
def greet(greeting, name="World"):
    return f"{greeting}, {name}"


@register.simple_tag
def count_all(*args, **kwargs):
    return f"{len(args)} args, {sorted(kwargs)}"


@register.simple_tag
def raw_html():
    return "<b>raw</b>"


@register.simple_tag
def safe_html():
    return mark_safe("<b>safe</b>")


@register.simple_tag(takes_context=True)
def whoami(context):
    return context.get("user", "anonymous")


@register.inclusion_tag("items.html")
def show_items(items, title="Items"):
    return {"items": items, "title": title}


@register.simple_block_tag
def shout(content):
    return content.upper()


@register.simple_block_tag
def wrap(content, tag="div"):
    return format_html("<{}>{}</{}>", tag, content, tag)


urls.urlpatterns = [
    path("", _view, name="home"),
    path("products/<int:pk>/", _view, name="product"),
    path("search/<str:q>/", _view, name="search"),
    path("a&b/", _view, name="amp"),
]
from django.utils.safestring import mark_safe


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1:
            ((k, x),) = v.items()
            if k == "$decimal":
                return Decimal(x)
            if k == "$tuple":
                return tuple(decode(y) for y in x)
            if k == "$safe":
                return mark_safe(x)
            if k == "$querydict":
                return QueryDict(x)
            if k == "$date":
                return date.fromisoformat(x)
            if k == "$datetime":
                return datetime.fromisoformat(x)
            if k == "$time":
                return time.fromisoformat(x)
        return {k: decode(x) for k, x in v.items()}
    return v


def render(case, corpus):
    templates = case.get("templates", {})
    if isinstance(templates, str):
        templates = corpus["templates"][templates]
    context = case.get("context", {})
    if isinstance(context, str):
        context = corpus["contexts"][context]
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", templates)],
        string_if_invalid=case.get("string_if_invalid", ""),
        libraries={
            "static": "django.templatetags.static",
            "i18n": "django.templatetags.i18n",
            "corpus_tags": "corpus_tags",
        },
        autoescape=case.get("autoescape", True),
    )
    try:
        if "main" in case:
            template = engine.get_template(case["main"])
        else:
            template = engine.from_string(case["template"])
        ctx = Context(decode(context), autoescape=case.get("autoescape", True))
        if "request_get" in case:
            # As a RequestContext would have it: `context.request.GET`.
            ctx.request = types.SimpleNamespace(GET=QueryDict(case["request_get"]))
        return {"ok": template.render(ctx)}
    except Exception as e:  # noqa: BLE001 -- the class and message are what we compare
        return {"error": {"class": type(e).__name__, "message": str(e)}}


def builtins():
    """Django's built-in tags and filters plus the i18n and static libraries': the
    Rust test checks that the corpus exercises every one of them."""
    from django.templatetags import i18n, static

    libs = [*Engine().template_builtins, i18n.register, static.register]
    return {
        "filters": sorted({name for lib in libs for name in lib.filters}),
        "tags": sorted({name for lib in libs for name in lib.tags}),
    }


def main():
    corpus_path, out_path = sys.argv[1], sys.argv[2]
    with open(corpus_path, encoding="utf-8") as f:
        corpus = json.load(f)
    assert django.VERSION[:2] == (5, 2), f"Django 5.2 required, got {django.get_version()}"
    out = {case["name"]: render(case, corpus) for case in corpus["cases"]}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(
            {"django": django.get_version(), "builtins": builtins(), "cases": out},
            f,
            indent=1,
            ensure_ascii=False,
            sort_keys=True,
        )
        f.write("\n")
    print(f"rendered {len(out)} cases with Django {django.get_version()}")


if __name__ == "__main__":
    main()
