"""The profile endpoint: what ``djust profile URL`` and the MCP tools read from a
running server. Include it in the project's URLconf::

    path("_djust/", include("djust.urls")),

- ``GET _djust/profile/`` (``?since=SEQ``): this process's snapshot as JSON: which
  process answered (``pid``, ``host``), a row per view and event (count, rate,
  p50/p95/p99/max of the total and of each part, queries, bytes, errors) and the spans
  recorded after sequence number ``SEQ`` (``djust.profiling``).
- ``GET _djust/profile/stream/``: the same as Server-Sent Events, one ``snapshot``
  event per second with the spans since the previous one, for at most ``?seconds=``
  (default 60, at most 3600).
- ``GET _djust/profile/traceback/``: the last failure of an event or mount, with its
  traceback (``null`` when there is none).
- ``GET _djust/profile/state/?session=ID``: the public state of a mounted LiveView of
  this process, by the ``session`` id its spans carry (404 when it is gone).

Access, checked on every request: the endpoint answers 404 unless a profile token is
set (``DJUST["PROFILE_TOKEN"]`` or the environment's ``DJUST_PROFILE_TOKEN``) or
``DEBUG`` is on. With a token, a request needs ``Authorization: Bearer <token>``: 401
without one, 403 with another (compared in constant time). Without a token, only
loopback clients (``REMOTE_ADDR`` in 127.0.0.0/8 or ``::1``) are served; others get
403. The deploy check ``djust.W101`` warns when the endpoint is routed and would be
served without a token. Source: issue 18.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import os
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse

from djust import conf, profiling, state


def _refusal(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="djust profile"'
    return response


def is_loopback(address: str | None) -> bool:
    """Whether ``address`` (a client's IP, as ``REMOTE_ADDR`` holds it) is loopback."""
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(request: HttpRequest) -> HttpResponse | None:
    """The response refusing ``request`` (see the module documentation), or ``None``."""
    if not conf.profile_endpoint_on():
        return _refusal(404, "the djust profile endpoint is off: set DJUST_PROFILE_TOKEN (or DEBUG)")
    token = conf.profile_token()
    if token is None:
        if not is_loopback(request.META.get("REMOTE_ADDR")):
            return _refusal(403, "without a profile token only loopback clients are served: set DJUST_PROFILE_TOKEN")
        return None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _refusal(401, "send Authorization: Bearer <DJUST_PROFILE_TOKEN> (djust profile --token)")
    if not hmac.compare_digest(header[len("Bearer ") :].strip().encode(), token.encode()):
        return _refusal(403, "the profile token does not match the server's DJUST_PROFILE_TOKEN")
    return None


def _since(request: HttpRequest) -> int:
    try:
        return max(0, int(request.GET.get("since", "0")))
    except ValueError:
        return 0


def snapshot(request: HttpRequest) -> HttpResponse:
    """``GET _djust/profile/``."""
    refused = refusal(request)
    if refused is not None:
        return refused
    data = profiling.recorder.snapshot(_since(request))
    data["recording"] = profiling.ENABLED
    return JsonResponse(data)


def last_traceback(request: HttpRequest) -> HttpResponse:
    """``GET _djust/profile/traceback/``."""
    refused = refusal(request)
    if refused is not None:
        return refused
    return JsonResponse({"traceback": profiling.recorder.last_traceback})


def stream(request: HttpRequest) -> HttpResponse:
    """``GET _djust/profile/stream/``: Server-Sent Events."""
    refused = refusal(request)
    if refused is not None:
        return refused
    try:
        seconds = min(3600, max(1, int(request.GET.get("seconds", "60"))))
    except ValueError:
        seconds = 60
    since = _since(request)

    async def events() -> Any:
        last = since
        for _ in range(seconds):
            data = profiling.recorder.snapshot(last)
            last = data["last_seq"]
            yield f"event: snapshot\ndata: {json.dumps(data)}\n\n"
            await asyncio.sleep(1)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response


def view_state(request: HttpRequest) -> HttpResponse:
    """``GET _djust/profile/state/?session=ID``."""
    refused = refusal(request)
    if refused is not None:
        return refused
    sid = request.GET.get("session", "")
    session = profiling.sessions.get(sid)
    if session is None:
        return _refusal(404, f"no mounted LiveView with session {sid[:80]!r} in process {os.getpid()}")
    data = {"session": sid, "view": profiling.view_path(session.view), "state": state.public_state(session.view)}
    return JsonResponse(data, encoder=_LenientEncoder)


class _LenientEncoder(DjangoJSONEncoder):
    """Django's encoder; anything else (a model, a queryset) as its ``repr``."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return repr(o)[:1000]
