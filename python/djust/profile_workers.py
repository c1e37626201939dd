"""The profile endpoint across a server's worker processes. Each process records its
own spans (:mod:`djust.profiling`); when the project's default channel layer is shared
between processes (any layer but Channels' ``InMemoryChannelLayer``, e.g.
``channels_redis``), the process that answers a request of the endpoint asks the others
through it and merges their answers, so ``djust profile`` sees every worker whichever
one it reaches.

The exchange, on the default channel layer:

- Each process that has recorded a span (or answered the endpoint) runs a *responder*:
  a daemon thread with its own event loop and its own instance of the layer, in the
  group ``djust.profile`` on a channel of its own, answering questions there.
- A question is a ``group_send`` to ``djust.profile`` of ``{"type":
  "djust.profile.ask", "reply_to": CHANNEL, "what": ..., ...}``; each responder sends
  ``{"type": "djust.profile.reply", "worker": ID, "json": TEXT}`` to ``reply_to``.
  ``what`` is ``snapshot`` (with the cursor), ``traceback`` or ``state`` (with the
  session id).
- The asker collects replies for at most ``DJUST["PROFILE_WORKERS_TIMEOUT"]`` seconds
  (default 0.5), and stops early once every worker that answered in the last minute has
  answered again. A worker that does not answer in time is left out of that answer;
  an unreachable layer leaves only this process, and the answer's ``workers_error``
  says why.

The *cursor* that pages the spans (``?cursor=`` of the snapshot, ``cursor`` of its
answer) is opaque to clients: base64url of ``{"t": UNIX_TIME, "seq": {WORKER: SEQ}}``,
the newest span each worker sent, and for a worker not named yet (a new or restarted
process), the spans that started at or after ``t``. ``?cursor=newest`` starts after
everything recorded so far. Source: issue 18 (several worker processes).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from djust import conf, profiling, state

logger = logging.getLogger("djust.profile")

GROUP = "djust.profile"
#: How long a worker that answered counts as alive (seconds): the asker waits for it.
_ALIVE = 60.0
#: How often a responder renews its membership of the group (seconds).
_RENEW = 600.0
#: The most spans one worker sends per answer.
SPANS_PER_WORKER = 5_000

_lock = threading.Lock()
_responder_pid = 0
#: Workers that answered, by id: when they last did (``time.monotonic``).
_seen: dict[str, float] = {}


class CursorError(ValueError):
    """A ``cursor`` the endpoint did not write (HTTP 400)."""


def encode_cursor(t: float, seq: dict[str, int]) -> str:
    """The cursor of ``t`` (Unix time) and the sequence number reached per worker."""
    raw = json.dumps({"t": t, "seq": seq}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[float, dict[str, int]] | None:
    """``(t, seq)`` of a cursor; ``None`` for ``newest``. :class:`CursorError` for
    anything else."""
    if text == "newest":
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        t = float(data["t"])
        seq = {str(k): int(v) for k, v in dict(data["seq"]).items()}
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise CursorError(f"not a cursor this endpoint wrote ({type(exc).__name__})") from None
    return t, seq


def shared() -> bool:
    """Whether the default channel layer reaches other processes: Channels is
    installed and ``CHANNEL_LAYERS["default"]`` is set to any backend but the
    in-memory one."""
    backend = (getattr(settings, "CHANNEL_LAYERS", None) or {}).get("default", {}).get("BACKEND", "")
    return bool(backend) and backend != "channels.layers.InMemoryChannelLayer"


def _new_layer() -> Any:
    """A fresh instance of the default layer, for one event loop."""
    from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers

    return channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)


async def _close(layer: Any) -> None:
    close = getattr(layer, "close_pools", None)
    if close is not None:
        try:
            await close()
        except Exception:  # closing a broken connection
            logger.debug("closing the channel layer's connections failed", exc_info=True)


def arm() -> None:
    """Start this process's responder with its first span (called at start-up)."""
    if profiling.ENABLED and shared():
        profiling.recorder.on_first_span = ensure_responder


def ensure_responder() -> None:
    """Start this process's responder thread, once per process, when the layer is
    shared."""
    global _responder_pid
    pid = os.getpid()
    if _responder_pid == pid or not shared():
        return
    with _lock:
        if _responder_pid == pid:
            return
        _responder_pid = pid
    threading.Thread(target=_run_responder, name="djust-profile-responder", daemon=True).start()


def _run_responder() -> None:
    asyncio.run(_serve())


async def _serve() -> None:
    """Answer questions until the process ends; a broken layer is retried, backing off
    up to 30 s."""
    backoff = 1.0
    warned = False
    while True:
        layer = _new_layer()
        try:
            channel = await layer.new_channel("djust.profile.worker")
            while True:
                await layer.group_add(GROUP, channel)
                renew = time.monotonic() + _RENEW
                while (left := renew - time.monotonic()) > 0:
                    try:
                        message = await asyncio.wait_for(layer.receive(channel), left)
                    except TimeoutError:
                        break
                    await _answer(layer, message)
                    backoff, warned = 1.0, False
        except Exception as exc:  # noqa: BLE001 - the layer's server went away: retry
            if not warned:
                logger.warning("djust profile: this worker cannot reach the channel layer (%s); retrying", exc)
                warned = True
            await _close(layer)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)


def _local(question: dict[str, Any]) -> dict[str, Any]:
    """This process's answer to ``question``."""
    what = question.get("what")
    if what == "snapshot":
        cursor = question.get("cursor")
        if cursor is None:
            return profiling.recorder.part(-1, 0.0)
        t, seq = cursor
        return profiling.recorder.part(seq.get(profiling.worker_id()), t, SPANS_PER_WORKER)
    if what == "traceback":
        return {"traceback": profiling.recorder.last_traceback}
    if what == "state":
        sid = str(question.get("session", ""))
        session = profiling.sessions.get(sid)
        if session is None:
            return {"state": None}
        for _ in range(3):  # the view may change while it is read (another thread)
            try:
                public = state.public_state(session.view)
            except RuntimeError:
                continue
            return {"state": {"session": sid, "view": profiling.view_path(session.view), "state": public}}
        return {"state": None}
    return {"error": f"unknown question {what!r}"}


async def _answer(layer: Any, message: dict[str, Any]) -> None:
    reply_to = message.get("reply_to")
    if message.get("type") != "djust.profile.ask" or not isinstance(reply_to, str):
        return
    try:
        body = json.dumps(_local(message), cls=LenientEncoder)
    except Exception as exc:  # noqa: BLE001 - a state that cannot be encoded
        body = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]})
    await layer.send(reply_to, {"type": "djust.profile.reply", "worker": profiling.worker_id(), "json": body})


async def ask(question: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """Ask every other worker ``question``: their answers (each with ``worker``), and
    why some could not be asked (``None`` when the layer worked)."""
    me = profiling.worker_id()
    timeout = conf.profile_workers_timeout()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    now = time.monotonic()
    expected = {w for w, at in _seen.items() if now - at < _ALIVE and w != me}
    answers: dict[str, dict[str, Any]] = {}
    layer = _new_layer()
    try:
        reply_to = await layer.new_channel("djust.profile.reply")
        message = {"type": "djust.profile.ask", "reply_to": reply_to, **question}
        await layer.group_send(GROUP, message)
        while (left := deadline - loop.time()) > 0 and not (expected and expected <= answers.keys()):
            try:
                reply = await asyncio.wait_for(layer.receive(reply_to), left)
            except TimeoutError:
                break
            worker = reply.get("worker")
            if not isinstance(worker, str) or worker == me:
                continue
            try:
                answer = json.loads(reply.get("json", ""))
            except (TypeError, ValueError):
                continue
            _seen[worker] = time.monotonic()
            answers[worker] = {**answer, "worker": worker}
    except Exception as exc:  # noqa: BLE001 - the layer's server is down: this process only
        return list(answers.values()), f"other workers were not asked: the channel layer failed ({exc})"[:500]
    finally:
        await _close(layer)
    for gone in expected - answers.keys():
        _seen.pop(gone, None)
    return list(answers.values()), None


async def snapshot(cursor: str | None, since: int | None, everyone: bool) -> dict[str, Any]:
    """The endpoint's snapshot: this process's, merged with every other worker's when
    ``everyone`` and the layer is shared. ``cursor`` (:func:`decode_cursor`) or
    ``since`` (this process's sequence number) pages the spans; neither: all that the
    processes keep. The answer is :func:`djust.profiling.merge`'s, plus ``cursor`` and
    ``merged`` (whether other workers were asked)."""
    if cursor is not None:
        position = decode_cursor(cursor)
    elif since is not None:
        position = (0.0, {profiling.worker_id(): since})
    else:
        position = (0.0, {})
    # Workers first heard of later send the spans since the run began.
    begun = time.time() if position is None else position[0]
    question = {"what": "snapshot", "cursor": position}
    parts = [_local(question)]
    errors = []
    merged = everyone and shared()
    if merged:
        ensure_responder()
        answers, error = await ask(question)
        parts += [a for a in answers if "process" in a]
        errors += [error] if error else []
        errors += [f"{a['worker']}: {a['error']}" for a in answers if "error" in a]
    data = profiling.merge(parts, errors)
    # A worker not heard from this time keeps its place.
    seq = {**(position[1] if position else {}), **data.pop("positions")}
    data["cursor"] = encode_cursor(begun, seq)
    data["merged"] = merged
    data["recording"] = profiling.ENABLED
    return data


async def last_traceback(everyone: bool) -> dict[str, Any] | None:
    """The newest failure among the workers (this one alone unless ``everyone``)."""
    found = [profiling.recorder.last_traceback]
    if everyone and shared():
        ensure_responder()
        answers, _ = await ask({"what": "traceback"})
        found += [a.get("traceback") for a in answers]
    records = [r for r in found if isinstance(r, dict)]
    return max(records, key=lambda r: r.get("at", 0.0)) if records else None


async def view_state(session: str, everyone: bool) -> dict[str, Any] | None:
    """The public state of the mounted view with ``session`` id, in whichever worker
    holds it; ``None`` when none does."""
    found = _local({"what": "state", "session": session})["state"]
    if found is None and everyone and shared():
        ensure_responder()
        answers, _ = await ask({"what": "state", "session": session})
        found = next((a["state"] for a in answers if a.get("state")), None)
    if found is not None:
        found = json.loads(json.dumps(found, cls=LenientEncoder))
    return found


class LenientEncoder(DjangoJSONEncoder):
    """Django's JSON encoder; anything else (a model, a queryset) as its ``repr``."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return repr(o)[:1000]
