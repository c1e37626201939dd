"""``{% cache %}`` for djust's engine: the fragment cache is Django's.

The engine parses the tag and renders its body; it asks this module for the cached
output (``lookup``) and, on a miss, hands the rendered output back (``store``). Both do what
Django's ``CacheNode.render`` does around its body, in the same order and with the same
errors: the timeout made an ``int`` (``None`` caches forever), the cache named by
``using`` (else ``template_fragments``, else ``default``), the key from
``make_template_fragment_key``, so a key computed by a project (to delete a fragment)
is the one the tag uses.

Source: ``django/templatetags/cache.py``, Django 5.2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.utils import make_template_fragment_key
from django.template import TemplateSyntaxError


def _timeout(timeout: Any) -> int | None:
    """``int(timeout)``, or ``None`` kept; else the tag's ``TemplateSyntaxError``."""
    if timeout is None:
        return None
    try:
        return int(timeout)
    except (ValueError, TypeError):
        raise TemplateSyntaxError(f'"cache" tag got a non-integer timeout value: {timeout!r}') from None


def _cache(using: Any) -> Any:
    """The cache named ``using``; without one, ``template_fragments`` if configured,
    else ``default``. An unknown name is the tag's ``TemplateSyntaxError``."""
    if using is not None:
        try:
            return caches[using]
        except InvalidCacheBackendError:
            raise TemplateSyntaxError(f"Invalid cache name specified for cache tag: {using!r}") from None
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return caches["default"]


def lookup(timeout: Any, using: Any, name: str, vary_on: list[Any]) -> str | None:
    """The cached output of fragment ``name`` for ``vary_on``, or ``None``."""
    _timeout(timeout)
    return _cache(using).get(make_template_fragment_key(name, vary_on))


def store(timeout: Any, using: Any, name: str, vary_on: list[Any]) -> Callable[[str], None]:
    """The function storing an output for fragment ``name`` and ``vary_on``."""
    seconds = _timeout(timeout)
    cache = _cache(using)
    key = make_template_fragment_key(name, vary_on)
    return lambda output: cache.set(key, output, seconds)
