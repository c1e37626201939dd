"""Mounting a LiveView over the WebSocket: only what the page's URL serves, to whom it
serves it, and only for a socket the page itself opened.

When ``LiveView.get`` serves a page it signs a *page token* (``dj-session`` on the
LiveView's root element): the view's dotted path, bound to the browser's CSRF secret
(``django.core.signing``, salted, timestamped; valid for ``DJUST["SESSION_MAX_AGE"]``
seconds). Another site cannot read the page, so it cannot get the token; a token
taken from one browser does not work with another's cookies.

A mount message (``{"type": "mount", "url": "/path/?q", "session": token}``) is then
served like a request for the page (:func:`mount`):

1. the token's signature and age are checked (a bad or old one is *stale*: the
   client reloads the page for a fresh one);
2. an ``HttpRequest`` for ``url`` is built from the socket's scope (cookies, headers,
   client address; ``ws``/``wss`` count as ``http``/``https``) and passed through
   Django's own request handler: the project's middleware (sessions, authentication,
   ``LoginRequiredMiddleware``, CSRF, …), the URLconf and the URL's decorators
   (``login_required``, ``staff_member_required``, …) run exactly as for the page;
3. the view the URL resolves to runs its ``get``: ``login_required`` and
   ``check_permissions``, then checks the token against the class and the request's
   CSRF secret, then ``mount(request, **kwargs)`` with the URL's own keyword
   arguments, and hands back the mounted view instead of HTML.

A redirect on the way (a login decorator) becomes a ``redirect`` reply; any other
response (403, 404, a URL that serves no LiveView) refuses the mount. No module the
client names is ever imported, and ``url`` and ``kwargs`` never come from the client
except through the URLconf.
"""

from __future__ import annotations

import functools
import io
import re
import sys
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import unquote

from django.conf import settings
from django.core import signals, signing
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.base import BaseHandler
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.module_loading import import_string

from djust import conf

SALT = "djust.mount"

#: The longest URL a mount may name.
MAX_URL_LENGTH = 2048


class MountError(Exception):
    """A mount that must be refused. ``code`` is the reply's: ``stale`` (the page must
    be reloaded for a fresh token), ``forbidden``, ``not_found``, ``bad_request``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PageToken:
    """What a page token says: the LiveView class's dotted path and the binding to the
    browser's CSRF secret (empty without ``CsrfViewMiddleware``); for a LiveView a page
    embeds with ``{% live_render %}``, ``embedded`` and the tag's keyword arguments."""

    view: str
    binding: str
    embedded: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)

    def refusal(self, cls: type, request: HttpRequest) -> str | None:
        """Why this token may not mount ``cls`` for ``request`` (``None`` if it may)."""
        if self.view != class_path(cls):
            return f"the page's token is for {self.view}, but the URL serves {class_path(cls)}"
        if not constant_time_compare(self.binding, binding(request)):
            return "the page's token belongs to another browser session (its CSRF cookie changed)"
        return None


class MountResponse(HttpResponse):
    """What ``LiveView.get`` answers a socket mount with: the mounted view, no HTML."""

    def __init__(self, liveview: Any) -> None:
        super().__init__(b"")
        self.liveview = liveview


class MountRefused(HttpResponseForbidden):
    """``LiveView.get``'s answer when the page token does not fit (a stale page)."""

    def __init__(self, reason: str) -> None:
        super().__init__(b"")
        self.reason = reason


def class_path(cls: type) -> str:
    """``module.QualName`` of a class."""
    return f"{cls.__module__}.{cls.__qualname__}"


@functools.cache
def _csrf_middleware_installed(middleware: tuple[str, ...]) -> bool:
    for path in middleware:
        try:
            cls = import_string(path)
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, CsrfViewMiddleware):
            return True
    return False


def binding(request: HttpRequest) -> str:
    """The token's binding to the browser: a MAC of the request's CSRF secret, which
    ``CsrfViewMiddleware`` reads from the browser's cookie (or session); ``""`` when
    the middleware is not installed."""
    if not _csrf_middleware_installed(tuple(settings.MIDDLEWARE)):
        return ""
    secret = request.META.get("CSRF_COOKIE") or ""
    return salted_hmac(SALT, secret).hexdigest()[:32] if secret else ""


def issue(request: HttpRequest, cls: type) -> str:
    """The page token for a page of LiveView ``cls`` served to ``request``. Makes sure
    the browser gets a CSRF cookie (``get_token``), which the token is bound to."""
    if _csrf_middleware_installed(tuple(settings.MIDDLEWARE)):
        from django.middleware.csrf import get_token

        get_token(request)
    return signing.dumps({"v": class_path(cls), "c": binding(request)}, salt=SALT)


def issue_embedded(request: HttpRequest, cls: type, kwargs: dict[str, Any]) -> str:
    """The token for a LiveView ``{% live_render %}`` embeds in a page: it mounts
    ``cls`` (not what the page's URL serves) with ``kwargs`` (the tag's, JSON values),
    for this browser. ``TypeError`` when ``kwargs`` cannot be signed as JSON."""
    if _csrf_middleware_installed(tuple(settings.MIDDLEWARE)):
        from django.middleware.csrf import get_token

        get_token(request)
    return signing.dumps({"v": class_path(cls), "c": binding(request), "e": 1, "k": kwargs}, salt=SALT)


def read(token: Any) -> PageToken:
    """The :class:`PageToken` signed in ``token``; :class:`MountError` (``stale``) when
    it is missing, forged, or older than ``SESSION_MAX_AGE``."""
    if not isinstance(token, str) or not token or len(token) > 1024:
        raise MountError("stale", "the mount has no page token: reload the page")
    try:
        data = signing.loads(token, salt=SALT, max_age=conf.session_max_age())
    except signing.SignatureExpired as exc:
        raise MountError("stale", "the page's token has expired: reload the page") from exc
    except signing.BadSignature as exc:
        raise MountError("stale", "the page's token is not valid: reload the page") from exc
    if not isinstance(data, dict) or not isinstance(data.get("v"), str) or not isinstance(data.get("c"), str):
        raise MountError("stale", "the page's token is not valid: reload the page")
    kwargs = data.get("k", {})
    if not isinstance(kwargs, dict):
        raise MountError("stale", "the page's token is not valid: reload the page")
    return PageToken(view=data["v"], binding=data["c"], embedded=data.get("e") == 1, kwargs=kwargs)


def socket_request(scope: dict[str, Any], url: str) -> HttpRequest:
    """An ``HttpRequest`` for a ``GET`` of ``url`` (a path with an optional query)
    made from the WebSocket's ASGI scope by Django's own ``ASGIRequest``: the
    socket's headers (cookies, ``Host``, ``User-Agent``), client and server addresses,
    and ``root_path``; ``wss`` is ``https``."""
    path, _, query = url.partition("?")
    http_scope = {
        **scope,
        "type": "http",
        "method": "GET",
        "path": unquote(path),
        "raw_path": path.encode("ascii", "replace"),
        "query_string": query,
        "scheme": "https" if scope.get("scheme") in ("wss", "https") else "http",
    }
    return ASGIRequest(http_scope, io.BytesIO())


_handler: BaseHandler | None = None


def _request_handler() -> BaseHandler:
    """Django's request handler with the project's middleware, built once (again after
    ``MIDDLEWARE`` or ``ROOT_URLCONF`` change in tests)."""
    global _handler
    if _handler is None:
        handler = BaseHandler()
        handler.load_middleware(is_async=False)
        _handler = handler
    return _handler


def _forget_handler(setting: str, **kwargs: Any) -> None:
    global _handler
    if setting in ("MIDDLEWARE", "ROOT_URLCONF"):
        _handler = None
        _csrf_middleware_installed.cache_clear()


setting_changed.connect(_forget_handler)


def _keep_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django turns an exception in a view into a 500 response; for a socket mount keep
    # it, so the consumer reports it as it reports a handler's (traceback in DEBUG).
    if request is not None and hasattr(request, "djust_mount"):
        request.djust_exception = sys.exc_info()[1]  # type: ignore[attr-defined]


signals.got_request_exception.connect(_keep_exception)


@functools.cache
def _embedded_urlconf(view_path: str) -> Any:
    """A URLconf that serves every path with the LiveView ``view_path`` (signed by the
    server in an embedded token), the project's URLs after it so ``reverse`` works."""
    from django.urls import include, re_path

    from djust.live_view import LiveView

    try:
        cls = import_string(view_path)
    except ImportError as exc:
        raise MountError("not_found", f"{view_path} is not importable") from exc
    if not (isinstance(cls, type) and issubclass(cls, LiveView)):
        raise MountError("not_found", f"{view_path} is not a LiveView")

    class Embedded:
        urlpatterns: ClassVar[list[Any]] = [re_path(r"", cls.as_view()), re_path(r"", include(settings.ROOT_URLCONF))]

    return Embedded


_URL = re.compile(r"/(?!/)[^\s#]*")


def check_url(url: Any) -> str:
    """``url`` when it is a path on this site (``/…``, optionally with a query);
    :class:`MountError` (``bad_request``) otherwise."""
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH or not _URL.fullmatch(url):
        raise MountError("bad_request", "mount needs the page's path as `url` (for example /shop/?page=2)")
    return url


def mount(scope: dict[str, Any], content: dict[str, Any]) -> tuple[Any, str | None]:
    """Serve a mount message (see the module documentation): ``(view, None)`` with the
    mounted LiveView instance, or ``(None, url)`` when the page's URL redirects (a login
    decorator). Raises :class:`MountError` when the mount is refused."""
    token = read(content.get("session"))
    url = check_url(content.get("url"))
    request = socket_request(scope, url)
    request.djust_mount = token  # type: ignore[attr-defined]
    # After a reconnect: the key of the state kept for this view (djust.persistence).
    request.djust_restore = content.get("restore")  # type: ignore[attr-defined]
    if token.embedded:
        # A LiveView the page embeds: served through the project's middleware for the
        # page's URL, but by the class the server signed, not by the URL's view.
        request.urlconf = _embedded_urlconf(token.view)  # type: ignore[attr-defined]
    signals.request_started.send(sender=__name__, scope=scope)
    response = _request_handler().get_response(request)
    try:
        failure = getattr(request, "djust_exception", None)
        if failure is not None:
            raise failure
        if isinstance(response, MountResponse):
            return response.liveview, None
        if isinstance(response, MountRefused):
            raise MountError("stale", response.reason)
        if response.status_code in (301, 302, 303, 307, 308) and response.get("Location"):
            return None, response["Location"]
        if response.status_code in (401, 403):
            raise MountError("forbidden", f"{url} may not be mounted by this user ({response.status_code})")
        if response.status_code == 404:
            raise MountError("not_found", f"{url} is not found ({response.status_code})")
        if response.status_code >= 400:
            raise MountError("bad_request", f"{url} answered {response.status_code}")
        raise MountError("not_found", f"{url} serves no LiveView")
    finally:
        # Fires request_finished (Django closes stale database connections there).
        response.close()
