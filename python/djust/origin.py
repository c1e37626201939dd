"""Which origins may open a LiveView WebSocket.

A browser sends the page's origin with every WebSocket handshake, and it sends the
site's cookies whatever page opens the socket. Without an origin check any site could
open a socket to yours as the signed-in visitor and drive their LiveViews
(cross-site WebSocket hijacking). djust's consumer therefore refuses the handshake
unless the ``Origin`` header is allowed, whether or not the project's ``asgi.py`` wraps
it in Channels' ``AllowedHostsOriginValidator`` (the example's does; do the same).

An origin is allowed when it is one of:

- the socket's own origin: the same scheme and ``Host`` as the socket (the ``Host``
  itself must pass ``ALLOWED_HOSTS``, and ``SECURE_PROXY_SSL_HEADER`` counts as for any
  request), which is Django's rule for an unsafe request's ``Origin``
  (``CsrfViewMiddleware``);
- listed in ``CSRF_TRUSTED_ORIGINS`` (``https://*.example.com`` covers subdomains), as
  for Django's CSRF check;
- an ``http``/``https`` origin whose host matches an ``ALLOWED_HOSTS`` entry other than
  ``"*"`` (Channels' ``AllowedHostsOriginValidator`` rule), so a site listed there may
  open sockets to the others.

A handshake without an ``Origin`` (no browser sends one) is refused. ``ALLOWED_HOSTS =
["*"]`` allows every ``Host`` but not every origin: only the socket's own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain


def handshake_origin(scope: dict[str, Any]) -> str | None:
    """The ``Origin`` header of an ASGI WebSocket scope (``None`` when absent)."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"origin":
            return value.decode("latin-1")
    return None


def refusal(scope: dict[str, Any]) -> str | None:
    """Why the handshake in ``scope`` must be refused, or ``None`` when its origin is
    allowed (see the module documentation)."""
    from djust.mount import socket_request

    origin = handshake_origin(scope)
    if not origin or origin == "null":
        return "the handshake has no Origin header"
    request = socket_request(scope, "/")
    try:
        host = request.get_host()
    except DisallowedHost:
        host = None
    own = f"{'https' if request.is_secure() else 'http'}://{host}" if host else None
    if allowed(origin, own):
        return None
    return f"origin {origin!r} is not allowed (see ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS)"


def allowed(origin: str, own: str | None) -> bool:
    """Whether ``origin`` (an ``Origin`` header) may open a socket whose own origin is
    ``own`` (``scheme://host[:port]``, ``None`` when its ``Host`` is not allowed). Reads
    ``ALLOWED_HOSTS``, ``CSRF_TRUSTED_ORIGINS`` and ``DEBUG``; contacts nothing."""
    if own is not None and origin == own:
        return True
    trusted = list(getattr(settings, "CSRF_TRUSTED_ORIGINS", []))
    if origin in trusted:
        return True
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    netloc = parts.netloc.lower()
    for entry in trusted:
        if "*" not in entry:
            continue
        t = urlsplit(entry)
        if t.scheme == parts.scheme and is_same_domain(netloc, t.netloc.lower().replace("*", "", 1)):
            return True
    hosts = [h for h in _allowed_hosts() if h != "*"]
    host = split_domain_port(netloc)[0]
    return bool(host) and validate_host(host, hosts)


def _allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        # Django's own default in DEBUG (HttpRequest.get_host).
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts
