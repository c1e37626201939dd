"""Live navigation: URLs that change without a page load (Phoenix LiveView's
``push_patch``/``push_navigate``, ``handle_params`` and ``live_session``; upstream
djust's ``live_patch``/``live_redirect``).

- **Patch** (same LiveView): ``self.live_patch(params=None, path=None, replace=False)``
  in a handler, a ``dj-patch`` link, or the browser's back/forward between such URLs.
  The view is not mounted again: ``handle_params(params, uri)`` runs with the new URL's
  parameters, the view re-renders, and the browser's address bar follows
  (``history.pushState``, or ``replaceState`` with ``replace``).
- **Navigate** (another LiveView): ``self.live_redirect(path, params=None,
  replace=False)``, a ``dj-navigate`` link, or back/forward to a URL of another
  LiveView. Over the same socket, without a page load, the client mounts the LiveView
  that URL serves in place of the current root, when both are in the same
  ``live_session``; otherwise the browser loads the page.

``handle_params`` also runs right after ``mount``, for the page load and for every
socket mount. Its ``params`` are the URL's keyword arguments and its query string
(a key given more than once maps to the list of its values); ``uri`` is the absolute
URL.

Security: what a URL serves is decided by the URLconf, never by the client. A
client's ``navigate`` message may only patch to the same path of the same LiveView
(only the query changes: permission checks ran for that path at mount); anything else
is a navigation, which mounts through :mod:`djust.mount` with a page token the server
issues for the URL's LiveView, so middleware, decorators and permission checks run as
for a page load.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve
from django.urls.exceptions import Resolver404

#: The group of views not in any ``live_session``: they navigate among themselves.
DEFAULT_SESSION = ""

_SESSION_ATTR = "djust_live_session"


def live_session(prefix: str, patterns: list[Any], *, name: str | None = None) -> URLResolver:
    """``path(prefix, include(patterns))`` whose LiveViews share the socket: navigating
    between them (``live_redirect``, ``dj-navigate``) mounts the next one over the same
    WebSocket, without a page load. ``name`` defaults to ``prefix``. Navigation to a
    LiveView of another session (or outside any) loads the page, as Phoenix's
    ``live_session`` does."""
    group = prefix if name is None else name
    if not isinstance(group, str) or not group:
        raise TypeError("live_session needs a non-empty name (or prefix)")
    _mark(patterns, group)
    return path(prefix, include(patterns))


def _mark(patterns: list[Any], group: str) -> None:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _mark(entry.url_patterns, group)
        elif isinstance(entry, URLPattern):
            setattr(entry.callback, _SESSION_ATTR, group)


@dataclass(frozen=True)
class Target:
    """What a URL serves, for navigation: a LiveView class, its URL keyword
    arguments and its ``live_session`` name (:data:`DEFAULT_SESSION` outside any)."""

    view_class: type
    kwargs: dict[str, Any]
    session: str


def resolve_live(path_only: str, urlconf: Any = None) -> Target | None:
    """The LiveView ``path_only`` (a path, no query) serves, or ``None`` when it serves
    no LiveView (or nothing)."""
    from djust.live_view import LiveView

    try:
        match = resolve(path_only, urlconf)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if not (isinstance(view_class, type) and issubclass(view_class, LiveView)):
        return None
    return Target(view_class, dict(match.kwargs), getattr(match.func, _SESSION_ATTR, DEFAULT_SESSION))


def params(kwargs: dict[str, Any], query: str) -> dict[str, Any]:
    """``handle_params``'s ``params``: the URL's keyword arguments, then its query
    (a key repeated in the query maps to the list of its values; a key the path
    already sets is ignored)."""
    out: dict[str, Any] = dict(kwargs)
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in kwargs:
            continue  # the path's own arguments are not overridden by the query
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def build_url(path_only: str, query: dict[str, Any] | None) -> str:
    """``path_only`` with ``query`` encoded (lists as repeated keys; ``None`` values
    left out)."""
    if not query:
        return path_only
    pairs = [(k, v) for k, v in query.items() if v is not None]
    return f"{path_only}?{urlencode(pairs, doseq=True)}" if pairs else path_only


def routes(group: str) -> list[str]:
    """The route map of ``live_session`` ``group`` for the client: one JavaScript
    regular expression source per URL pattern serving a LiveView of the group (the
    client loads other URLs as pages without asking the server). Computed once per
    group and ``ROOT_URLCONF``."""
    return list(_routes(group, settings.ROOT_URLCONF))


@functools.lru_cache(maxsize=64)
def _routes(group: str, urlconf: Any) -> tuple[str, ...]:
    from djust.live_view import LiveView

    out: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            regex = _regex_source(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + regex)
                continue
            view_class = getattr(entry.callback, "view_class", None)
            if not (isinstance(view_class, type) and issubclass(view_class, LiveView)):
                continue
            if getattr(entry.callback, _SESSION_ATTR, DEFAULT_SESSION) == group:
                out.append(_javascript("^/" + prefix + regex + "$"))

    walk(get_resolver(urlconf).url_patterns, "")
    return tuple(out)


def _regex_source(pattern: Any) -> str:
    source = pattern.regex.pattern
    source = source.removeprefix("^")
    return source.removesuffix(r"\Z").removesuffix("$")


def _javascript(source: str) -> str:
    """A Python regular expression source as JavaScript reads it (named groups)."""
    return re.sub(r"\(\?P<", "(?<", source).replace(r"\Z", "$")
