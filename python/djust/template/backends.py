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
``{% csrf_token %}`` and the i18n tags call Django's own APIs.

``OPTIONS`` are ``DjangoTemplates``'s, with the same meaning: ``autoescape``,
``context_processors``, ``debug`` (default ``settings.DEBUG``), ``loaders``
(``filesystem``, ``app_directories``, ``cached`` and ``locmem`` run natively; a
project's own loader classes run through Django), ``string_if_invalid``,
``file_charset``, ``libraries`` and ``builtins``. With ``debug`` on and no explicit
``loaders``, an edited template is picked up at its next render (a mounted LiveView's
at its next event), as Django's cached loader is reset on autoreload. Tag libraries
are found as Django finds them (installed apps' ``templatetags`` plus ``libraries``);
their filters and
``simple_tag``/``inclusion_tag``/``simple_block_tag`` functions are called natively,
``@register.tag`` compile functions through Django's parser
(``djust.template.library``). One more option: ``max_generated_size`` (the most
characters one filter or tag may generate from a size in its input, default 16 Mi:
past it the render raises ``djust.exceptions.TemplateSizeError``, a ``MemoryError``).
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist as DjangoTemplateDoesNotExist
from django.template.backends.base import BaseEngine
from django.template.backends.django import get_installed_libraries
from django.template.context_processors import csrf
from django.template.engine import Engine as DjangoEngine
from django.template.library import import_library
from django.template.utils import get_app_template_dirs
from django.utils.functional import cached_property
from django.utils.module_loading import import_string

from djust import _rust
from djust.exceptions import TemplateDoesNotExist
from djust.template.library import NATIVE_LIBRARIES, Host, load_source

_KNOWN_OPTIONS = {
    "autoescape",
    "builtins",
    "context_processors",
    "debug",
    "file_charset",
    "libraries",
    "loaders",
    "max_generated_size",
    "string_if_invalid",
}

_FILESYSTEM = "django.template.loaders.filesystem.Loader"
_APP_DIRECTORIES = "django.template.loaders.app_directories.Loader"
_CACHED = "django.template.loaders.cached.Loader"
_LOCMEM = "django.template.loaders.locmem.Loader"


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
        self.debug = options.get("debug", settings.DEBUG)
        libraries = get_installed_libraries()
        libraries.update(options.get("libraries", {}))
        # Django's own engine with the same configuration: its parser runs the
        # `@register.tag` compile functions, its loaders a project's own loader classes.
        self.django_engine = DjangoEngine(
            dirs=self.dirs,
            app_dirs=self.app_dirs,
            debug=self.debug,
            loaders=options.get("loaders"),
            string_if_invalid=options.get("string_if_invalid", ""),
            file_charset=options.get("file_charset", "utf-8"),
            libraries=libraries,
            builtins=options.get("builtins"),
            autoescape=options.get("autoescape", True),
        )
        host = Host(self.django_engine)
        described = [
            (name, host.describe(self.django_engine.template_libraries[name]))
            for name, path in sorted(libraries.items())
            if path not in NATIVE_LIBRARIES
        ]
        builtins = [host.describe(import_library(path)) for path in options.get("builtins", ())]
        limits = {"max_generated_size": options["max_generated_size"]} if "max_generated_size" in options else {}
        self.engine = _rust.Engine(
            autoescape=options.get("autoescape", True),
            string_if_invalid=options.get("string_if_invalid", ""),
            django=True,
            loaders=list(self._loader_chain(self.django_engine.loaders)),
            libraries=described,
            builtins=builtins,
            debug=self.debug,
            # Django's cached loader is reset on autoreload in development; here a
            # changed template is recompiled at its next load.
            auto_reload=bool(self.debug) and "loaders" not in options,
            **limits,
        )

    def _loader_chain(self, loaders: list) -> Any:
        """Django's loader configuration as the Rust engine's loaders, in order:
        ``filesystem``/``app_directories`` as directories (when files are UTF-8),
        ``locmem`` in memory, ``cached`` unwrapped (the engine caches compiled
        templates itself), anything else through the Django loader instance."""
        utf8 = self.django_engine.file_charset.lower().replace("_", "-") in ("utf-8", "utf8")
        for spec in loaders:
            name, args = (spec, []) if isinstance(spec, str) else (spec[0], list(spec[1:]))
            if name == _CACHED:
                yield from self._loader_chain(args[0] if args else [])
            elif name == _FILESYSTEM and utf8:
                yield "directories", [str(d) for d in (args[0] if args else self.django_engine.dirs)]
            elif name == _APP_DIRECTORIES and utf8:
                yield "directories", [str(d) for d in get_app_template_dirs("templates")]
            elif name == _LOCMEM:
                yield "locmem", dict(args[0] if args else {})
            else:
                loader = self.django_engine.find_template_loader(spec)
                yield "host", functools.partial(load_source, loader)

    @cached_property
    def context_processors(self) -> tuple:
        return tuple(import_string(path) for path in self._processor_paths)

    def make_context(self, context: dict | None, request: Any = None) -> dict[str, Any]:
        """``context`` with the request's values under it, as Django's
        ``RequestContext`` layers them: the CSRF token (Django's built-in processor)
        and the context processors' values first, then ``context`` over them, so a
        view's own ``messages`` or ``user`` wins over the processors'; ``request`` is
        added unless one of them set it. Without a request it is ``context`` itself,
        as Django's ``Context`` wraps the caller's dict."""
        if request is None:
            # Django's `Context(context)` wraps the caller's dict: what the template
            # binds outside any scope (`{% firstof … as v %}`) is there afterwards.
            return context if context is not None else {}
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
