"""Django's ``template_debug`` for djust's template errors.

With ``OPTIONS["debug"]`` on, a syntax or render error carries the information
Django's technical 500 page shows under "Template error": the template's source with
the offending token's line marked. It is computed by Django's own
``Template.get_exception_info`` from the template source and the token's character
offsets, so the page is the one ``DjangoTemplates`` gives.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.template.base import Template


def attach(exception: BaseException, source: str, name: str | None, start: int, end: int) -> None:
    """Set ``exception.template_debug`` (kept when already set, as Django keeps the
    innermost template's) for the token at characters ``start:end`` of ``source``."""
    if getattr(exception, "template_debug", None) is not None:
        return
    template: Any = SimpleNamespace(source=source, origin=SimpleNamespace(name=name or "<unknown source>"))
    token = SimpleNamespace(position=(start, end))
    exception.template_debug = Template.get_exception_info(template, exception, token)
