"""Exceptions raised by the template engine (``djust._rust``).

Each carries ``template_name``, ``lineno`` and ``column`` (``None`` when unknown) and
``message`` (Django's wording, without the location). When Django is installed,
``TemplateSyntaxError`` and ``TemplateDoesNotExist`` subclass Django's own, so code that
catches Django's exceptions catches ours.
"""

try:  # Django is optional: the engine works without it.
    from django.template import TemplateDoesNotExist as _DjangoDoesNotExist
    from django.template import TemplateSyntaxError as _DjangoSyntaxError
except ImportError:  # pragma: no cover - exercised only without Django

    class _DjangoSyntaxError(Exception):
        pass

    class _DjangoDoesNotExist(Exception):
        pass


class TemplateError(Exception):
    """Base class of the engine's errors."""

    template_name: str | None = None
    lineno: int | None = None
    column: int | None = None
    message: str = ""


class TemplateSyntaxError(TemplateError, _DjangoSyntaxError):
    """A template that does not compile (unknown tag or filter, unclosed block, ...)."""


class TemplateDoesNotExist(TemplateError, _DjangoDoesNotExist):
    """No loader has a template of that name (or the name leaves the directories)."""


class TemplateRenderError(TemplateError):
    """A failure while rendering (a filter given a value it cannot handle, ...)."""


class TemplateValueError(TemplateRenderError, ValueError):
    """A render failure Django raises as ``ValueError``: a ``{% for a, b in ... %}`` item
    with another number of values. ``except ValueError`` catches both."""


class TemplateAttributeError(TemplateRenderError, AttributeError):
    """A render failure Django raises as ``AttributeError``: ``{% querystring %}`` with no
    request in the context or given something that is not a ``QueryDict``."""


class TemplateSizeError(TemplateRenderError, MemoryError):
    """A value the template would generate is over the engine's ``max_generated_size``
    (``{{ x|rjust:n }}`` with a huge ``n``, ``{% lorem 10000000000000 w %}``). Django
    raises ``MemoryError`` when such an allocation fails; djust refuses before
    allocating, so ``except MemoryError`` catches both."""
