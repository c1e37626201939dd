"""Django integration of djust's template engine.

:func:`backend` is the backend LiveViews render with: the project's
``djust.template.backends.DjustTemplates`` when ``TEMPLATES`` has one, else one built
from the first ``DjangoTemplates`` entry (same ``DIRS``, ``APP_DIRS``, context
processors, ``debug``, tag ``libraries`` and ``builtins``, ``string_if_invalid``,
``autoescape`` and ``file_charset``), so a project can keep Django's backend for its
other pages.
``backend.cache_clear()`` forgets it (after settings change, in tests).
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def backend() -> Any:
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    from djust.template.backends import DjustTemplates

    backends = engines.all()
    for candidate in backends:
        if isinstance(candidate, DjustTemplates):
            return candidate
    for candidate in backends:
        if isinstance(candidate, DjangoTemplates):
            engine = candidate.engine
            return DjustTemplates(
                {
                    "NAME": "djust",
                    "DIRS": list(engine.dirs),
                    "APP_DIRS": engine.app_dirs,
                    "OPTIONS": {
                        "context_processors": list(engine.context_processors),
                        "debug": engine.debug,
                        "libraries": dict(engine.libraries),
                        "builtins": [b for b in engine.builtins if b not in engine.default_builtins],
                        "string_if_invalid": engine.string_if_invalid,
                        "autoescape": engine.autoescape,
                        "file_charset": engine.file_charset,
                    },
                }
            )
    return DjustTemplates({"NAME": "djust", "DIRS": [], "APP_DIRS": True, "OPTIONS": {}})
