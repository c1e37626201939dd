"""The profile endpoint: what ``djust profile URL`` and the MCP tools read from a
running server. Include it in the project's URLconf::

    path("_djust/", include("djust.urls")),

- ``GET _djust/profile/`` (``?cursor=``): the snapshot as JSON: which process
  answered (``process``: ``pid``, ``host``, ``worker``) and which workers it merged
  (``workers``), a row per view and event (count, rate, p50/p95/p99/max of the total
  and of each part, queries, bytes, errors), the spans after the ``cursor`` of a
  previous answer (``cursor=newest``: none yet; no cursor: all that are kept) and the
  ``cursor`` to ask with next (``djust.profiling``, ``djust.profile_workers``).
  ``?since=SEQ`` pages by this process's sequence number instead.
- ``GET _djust/profile/stream/``: the same as Server-Sent Events, one ``snapshot``
  event per second with the spans since the previous one, for at most ``?seconds=``
  (default 60, at most 3600).
- ``GET _djust/profile/traceback/``: the newest failure of an event or mount, with its
  traceback (``null`` when there is none).
- ``GET _djust/profile/state/?session=ID``: the public state of a mounted LiveView, by
  the ``session`` id its spans carry (404 when it is gone).

With a channel layer shared by the server's processes (Redis), each answer covers every
worker (:mod:`djust.profile_workers`); ``?workers=self`` asks only the process that
answers.

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
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse

from djust import conf, profile_workers


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


def _since(request: HttpRequest) -> int | None:
    try:
        return max(0, int(request.GET["since"]))
    except (KeyError, ValueError):
        return None


def _everyone(request: HttpRequest) -> bool:
    return request.GET.get("workers", "all") != "self"


async def snapshot(request: HttpRequest) -> HttpResponse:
    """``GET _djust/profile/``."""
    refused = refusal(request)
    if refused is not None:
        return refused
    try:
        data = await profile_workers.snapshot(request.GET.get("cursor"), _since(request), _everyone(request))
    except profile_workers.CursorError as exc:
        return _refusal(400, f"{exc}: pass the cursor of a previous answer, or cursor=newest")
    return JsonResponse(data)


async def last_traceback(request: HttpRequest) -> HttpResponse:
    """``GET _djust/profile/traceback/``."""
    refused = refusal(request)
    if refused is not None:
        return refused
    return JsonResponse({"traceback": await profile_workers.last_traceback(_everyone(request))})


async def stream(request: HttpRequest) -> HttpResponse:
    """``GET _djust/profile/stream/``: Server-Sent Events."""
    refused = refusal(request)
    if refused is not None:
        return refused
    try:
        seconds = min(3600, max(1, int(request.GET.get("seconds", "60"))))
    except ValueError:
        seconds = 60
    cursor, since, everyone = request.GET.get("cursor"), _since(request), _everyone(request)
    try:
        first = await profile_workers.snapshot(cursor, since, everyone)
    except profile_workers.CursorError as exc:
        return _refusal(400, f"{exc}: pass the cursor of a previous answer, or cursor=newest")

    async def events() -> Any:
        data = first
        for tick in range(seconds):
            if tick:
                await asyncio.sleep(1)
                data = await profile_workers.snapshot(data["cursor"], None, everyone)
            yield f"event: snapshot\ndata: {json.dumps(data)}\n\n"

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response


async def view_state(request: HttpRequest) -> HttpResponse:
    """``GET _djust/profile/state/?session=ID``."""
    refused = refusal(request)
    if refused is not None:
        return refused
    sid = request.GET.get("session", "")
    found = await profile_workers.view_state(sid, _everyone(request))
    if found is None:
        return _refusal(404, f"no mounted LiveView with session {sid[:80]!r} in any worker")
    return JsonResponse(found)
