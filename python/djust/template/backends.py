"""A Django template backend on djust's Rust engine.

    TEMPLATES = [
        {
            "BACKEND": "djust.template.backends.DjustTemplates",
            "DIRS": [BASE_DIR / "templates"],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
        }
    ]

It renders Django's template language as ``DjangoTemplates`` does (the engine is
compared with Django's on a differential corpus). ``{% url %}``, ``{% static %}``,
``{% csrf_token %}`` and the i18n tags call Django's own APIs. Options:
``context_processors`` (as ``DjangoTemplates``), ``autoescape`` (default ``True``),
``string_if_invalid`` (default ``""``), ``max_generated_size`` (the most characters one
filter or tag may generate from a size in its input, default 16 Mi: past it the render
raises ``djust.exceptions.TemplateSizeError``, a ``MemoryError``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist as DjangoTemplateDoesNotExist
from django.template.backends.base import BaseEngine
from django.template.context_processors import csrf
from django.utils.functional import cached_property
from django.utils.module_loading import import_string

from djust import _rust
from djust.exceptions import TemplateDoesNotExist

_KNOWN_OPTIONS = {"context_processors", "autoescape", "string_if_invalid", "max_generated_size"}


class DjustTemplates(BaseEngine):
    """The backend (``TEMPLATES[...]["BACKEND"]``)."""

    app_dirname = "templates"

    def __init__(self, params: dict[str, Any]) -> None:
        params = params.copy()
        options = params.pop("OPTIONS").copy()
        unknown = set(options) - _KNOWN_OPTIONS
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown options for the djust template backend: {', '.join(sorted(unknown))}. "
                f"Known options: {', '.join(sorted(_KNOWN_OPTIONS))}."
            )
        super().__init__(params)
        self._processor_paths = tuple(options.get("context_processors", ()))
        limits = {"max_generated_size": options["max_generated_size"]} if "max_generated_size" in options else {}
        self.engine = _rust.Engine(
            dirs=[str(d) for d in self.template_dirs],
            autoescape=options.get("autoescape", True),
            string_if_invalid=options.get("string_if_invalid", ""),
            django=True,
            **limits,
        )

    @cached_property
    def context_processors(self) -> tuple:
        return tuple(import_string(path) for path in self._processor_paths)

    def make_context(self, context: dict | None, request: Any = None) -> dict[str, Any]:
        """``context`` with the request's values under it, as Django's
        ``RequestContext`` layers them: the CSRF token (Django's built-in processor)
        and the context processors' values first, then ``context`` over them, so a
        view's own ``messages`` or ``user`` wins over the processors'; ``request`` is
        added unless one of them set it."""
        if request is None:
            return dict(context or {})
        data: dict[str, Any] = dict(csrf(request))
        for processor in self.context_processors:
            data.update(processor(request))
        data.update(context or {})
        data.setdefault("request", request)
        return data

    def from_string(self, template_code: str) -> Template:
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name: str) -> Template:
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            raise DjangoTemplateDoesNotExist(template_name, backend=self) from exc


class Template:
    """A compiled template, rendered with ``render(context=None, request=None)``."""

    def __init__(self, template: _rust.Template, backend: DjustTemplates) -> None:
        self.template = template
        self.backend = backend

    @property
    def origin(self) -> Any:
        from django.template.base import Origin

        return Origin(name=self.template.name or "<unknown source>", template_name=self.template.name)

    def render(self, context: dict | None = None, request: Any = None) -> str:
        if context is not None and not isinstance(context, dict):
            raise TypeError(f"context must be a dict rather than {context.__class__.__name__}.")
        return self.template.render(self.backend.make_context(context, request))
