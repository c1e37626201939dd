"""Django integration of djust's template engine.

:func:`engine` is the engine LiveViews render with: the project's
``djust.template.backends.DjustTemplates`` backend when ``TEMPLATES`` has one, else one
built from the first ``DjangoTemplates`` entry (same ``DIRS``, ``APP_DIRS`` and context
processors), so a project can keep Django's backend for its other pages.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _backend() -> Any:
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    from djust.template.backends import DjustTemplates

    backends = engines.all()
    for backend in backends:
        if isinstance(backend, DjustTemplates):
            return backend
    for backend in backends:
        if isinstance(backend, DjangoTemplates):
            processors = backend.engine.context_processors
            return DjustTemplates(
                {
                    "NAME": "djust",
                    "DIRS": list(backend.engine.dirs),
                    "APP_DIRS": backend.engine.app_dirs,
                    "OPTIONS": {"context_processors": list(processors)},
                }
            )
    return DjustTemplates({"NAME": "djust", "DIRS": [], "APP_DIRS": True, "OPTIONS": {}})


class _Engine:
    """Callable access to the LiveView engine: ``engine()`` is the backend's native
    ``djust._rust.Engine``; ``engine.context_processors()`` its processors."""

    def __call__(self) -> Any:
        return _backend().engine

    @staticmethod
    def context_processors() -> tuple:
        return _backend().context_processors

    @staticmethod
    def reset() -> None:
        """Forget the engine (after settings change, in tests)."""
        _backend.cache_clear()


engine = _Engine()
