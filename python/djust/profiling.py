"""Live timings of LiveViews: a span per page render, WebSocket mount, event and
``dj-model`` update, split into its parts, kept in a bounded ring in each process and
aggregated per view and per event. ``djust profile URL`` and the MCP tools read them
from the endpoint in :mod:`djust.urls` (:mod:`djust.profile_views`).

A span records, in microseconds of the monotonic clock (``time.perf_counter_ns``):

- ``total``: from the message's arrival to its reply being sent (for a page: the view);
- ``handler``: the view's ``mount`` or ``@event_handler``;
- ``sql``: the time of the queries it ran, with their ``count``, the ``duplicates``
  (the same SQL and parameters again) and the ``similar`` ones (the same SQL with other
  parameters: the shape of an N+1), through an execute wrapper (Django's
  ``connection.execute_wrapper`` mechanism) put on each connection as it connects;
- ``render`` (the template render and the VDOM build), ``diff`` and ``serialize``
  (patches and HTML written out), measured by the Rust renderer;
- ``encode`` (the reply's JSON) and ``send``;

plus the number of patches, the reply's size in bytes (UTF-8, what the client
receives), the state's size in bytes (its JSON) and the exception type of a failure.
Parts are measured inside the total, so they never exceed it.

Profiling is on when the endpoint is (``DEBUG``, or a profile token is set: see
:mod:`djust.profile_views`), or with ``DJUST["PROFILE"] = True``. Off, each span costs
one test of :data:`ENABLED`; ``docs/benchmarks.md`` measures it on. The state's size
is measured on a view's first render and every 16th after.

When ``opentelemetry-api`` is installed, each span is also an OpenTelemetry span
(``djust event add``, attributes ``djust.view``, ``djust.handler_us``, …,
``djust.queries``, ``djust.bytes``; an error status for a failure) on the tracer
``djust``, exported wherever the application configured OpenTelemetry; djust does not
depend on it. The ring holds
``DJUST["PROFILE_RING_SIZE"]`` spans (default 10,000); the aggregates keep the last
1,000 totals per view and event for the percentiles. Source: issue 18, after Phoenix
LiveView's telemetry spans and django-debug-toolbar's SQL panel.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import socket
import threading
import time
import weakref
from collections import deque
from contextlib import contextmanager
from typing import Any

#: Whether spans are recorded (set by :func:`configure`).
ENABLED = False

_PARTS = ("handler", "sql", "render", "diff", "serialize", "encode", "send")
_PERCENTILE_WINDOW = 1000
_MAX_QUERY_SHAPES = 200
_MAX_SQL_TEXT = 2000
#: The most rows (view, kind, name) a process aggregates; spans of further names (an
#: event name is the client's) count under the name ``(other)``.
MAX_ROWS = 500
#: The longest event or field name kept, in characters.
_MAX_NAME = 100

_current: contextvars.ContextVar[Span | None] = contextvars.ContextVar("djust_span", default=None)
_sequence = itertools.count(1)
_worker: tuple[int, str] = (0, "")


def worker_id() -> str:
    """This process's name among a server's workers: ``host/pid/boot``, where ``boot``
    is random per process (a restarted worker with the same pid, as in a container, is
    another worker)."""
    global _worker
    pid = os.getpid()
    if _worker[0] != pid:
        _worker = (pid, f"{socket.gethostname()}/{pid}/{os.urandom(4).hex()}")
    return _worker[1]


class Span:
    """One profiled message (see the module documentation)."""

    __slots__ = (
        "at",
        "bytes",
        "duplicates",
        "error",
        "kind",
        "name",
        "parts",
        "patches",
        "queries",
        "query_shapes",
        "seen",
        "seq",
        "session",
        "started",
        "state_bytes",
        "total",
        "view",
    )

    def __init__(self, kind: str, view: str = "", name: str = "") -> None:
        self.seq = 0
        self.kind = kind
        self.view = view
        self.name = name if len(name) <= _MAX_NAME else name[:_MAX_NAME] + "…"
        self.at = time.time()
        self.started = time.perf_counter_ns()
        self.parts: dict[str, int] = dict.fromkeys(_PARTS, 0)
        self.queries = 0
        self.query_shapes: dict[str, int] = {}
        self.duplicates = 0
        self.patches = 0
        self.bytes = 0
        self.state_bytes = 0
        self.error = ""
        self.total = 0
        self.seen: set[tuple[str, str]] | None = None
        self.session = ""

    @property
    def similar(self) -> int:
        """Queries that repeat the SQL of another in this span with other parameters."""
        return sum(n - 1 for n in self.query_shapes.values() if n > 1) - self.duplicates

    def as_dict(self) -> dict[str, Any]:
        """The span as the endpoint serves it."""
        repeated = sorted(((n, sql) for sql, n in self.query_shapes.items() if n > 1), reverse=True)[:5]
        return {
            "seq": self.seq,
            "kind": self.kind,
            "view": self.view,
            "name": self.name,
            "at": self.at,
            "total_us": self.total,
            "parts_us": dict(self.parts),
            "queries": self.queries,
            "duplicate_queries": self.duplicates,
            "similar_queries": max(self.similar, 0),
            "repeated_sql": [{"sql": sql, "count": n} for n, sql in repeated],
            "patches": self.patches,
            "bytes": self.bytes,
            "state_bytes": self.state_bytes,
            "error": self.error,
            "session": self.session,
            "worker": worker_id(),
        }


class _Aggregate:
    """Counters of one view and event (percentiles come from the ring's spans)."""

    __slots__ = ("bytes", "count", "errors", "first", "patches", "queries", "similar")

    def __init__(self, at: float) -> None:
        self.count = 0
        self.errors = 0
        self.first = at
        self.queries = 0
        self.bytes = 0
        self.patches = 0
        self.similar = 0


def rows_from(parts: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The rows of several processes' :meth:`Recorder.row_inputs` together: counts,
    rates, queries, bytes and patches summed; the percentiles (``p50``/``p95``/``p99``/
    ``max``, µs) of the total and of each part over every process's last spans."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for inputs in parts:
        for item in inputs:
            key = (item["view"], item["kind"], item["name"])
            row = merged.get(key)
            if row is None:
                row = merged[key] = {
                    "view": item["view"],
                    "kind": item["kind"],
                    "name": item["name"],
                    "count": 0,
                    "errors": 0,
                    "rate_per_s": 0.0,
                    "queries": 0,
                    "similar_queries": 0,
                    "bytes": 0,
                    "patches": 0,
                    "totals_us": [],
                    "parts_us": {p: [] for p in _PARTS},
                }
            for field in ("count", "errors", "rate_per_s", "queries", "similar_queries", "bytes", "patches"):
                row[field] += item.get(field, 0)
            row["totals_us"].extend(item.get("totals_us", ()))
            for p in _PARTS:
                row["parts_us"][p].extend(item.get("parts_us", {}).get(p, ()))
    out = []
    for row in merged.values():
        totals = row.pop("totals_us")
        row["rate_per_s"] = round(row["rate_per_s"], 3)
        row["total_us"] = _percentiles(totals)
        row["parts_us"] = {p: _percentiles(v) for p, v in row["parts_us"].items()}
        out.append(row)
    return out


def merge(parts: list[dict[str, Any]], errors: list[str] | None = None) -> dict[str, Any]:
    """A snapshot of several processes' :meth:`Recorder.part` (the first is the process
    that answers): ``process`` (that one), ``workers`` (each process, with the number of
    spans it sent), ``rows`` (:func:`rows_from`), ``spans`` (all, by start time, each
    naming its ``worker``), ``positions`` (per worker, the newest sequence number sent or, when it sent none,
    its newest), ``newest_seq``/``last_seq`` (the answering process's) and
    ``workers_error`` (why other workers could not be asked, or ``None``)."""
    spans = sorted((s for p in parts for s in p["spans"]), key=lambda s: s["at"])
    here = parts[0]
    mine = [s["seq"] for s in here["spans"]]
    positions: dict[str, int] = {}
    for p in parts:
        worker = p["process"]["worker"]
        seqs = [s["seq"] for s in p["spans"]]
        positions[worker] = max(seqs) if seqs else p["process"]["newest_seq"]
    now = time.time()
    return {
        "process": {k: here["process"][k] for k in ("pid", "host", "started", "worker")},
        "workers": [{**p["process"], "spans": len(p["spans"])} for p in parts],
        "workers_error": "; ".join(errors) if errors else None,
        "now": now,
        "newest_seq": here["process"]["newest_seq"],
        "last_seq": max(mine) if mine else here["process"]["newest_seq"],
        "positions": positions,
        "rows": rows_from([p["rows"] for p in parts]),
        "spans": spans,
    }


def _percentiles(values: Any) -> dict[str, int]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0, "p95": 0, "p99": 0, "max": 0}

    def at(q: float) -> int:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


class Recorder:
    """The spans of this process: a ring of the last ``size`` and the aggregates."""

    def __init__(self, size: int = 10_000) -> None:
        self.lock = threading.Lock()
        self.ring: deque[Span] = deque(maxlen=max(1, size))
        self.aggregates: dict[tuple[str, str, str], _Aggregate] = {}
        self.started = time.time()
        self.last_traceback: dict[str, Any] | None = None
        #: Called once, after the first span is added (:mod:`djust.profile_workers`
        #: starts this worker's responder there).
        self.on_first_span: Any = None

    def add(self, span: Span) -> None:
        with self.lock:
            span.seq = next(_sequence)
            self.ring.append(span)
            key = (span.view, span.kind, span.name)
            agg = self.aggregates.get(key)
            if agg is None:
                if len(self.aggregates) >= MAX_ROWS:
                    key = (span.view, span.kind, "(other)")
                    span.name = "(other)"
                    agg = self.aggregates.get(key)
                if agg is None:
                    agg = self.aggregates[key] = _Aggregate(span.at)
            agg.count += 1
            if span.error:
                agg.errors += 1
            if span.queries:
                agg.queries += span.queries
                agg.similar += max(span.similar, 0)
            agg.bytes += span.bytes
            agg.patches += span.patches
        if self.on_first_span is not None:
            hook, self.on_first_span = self.on_first_span, None
            hook()

    def spans(self, since: int = 0, limit: int = 10_000, not_before: float = 0.0) -> list[dict[str, Any]]:
        """The spans after sequence number ``since`` that started at or after the Unix
        time ``not_before``, oldest first, at most ``limit`` (the newest)."""
        with self.lock:
            chosen = [s for s in self.ring if s.seq > since and s.at >= not_before]
        return [s.as_dict() for s in chosen[-limit:]]

    def rows(self) -> list[dict[str, Any]]:
        """One row per view, kind and event name: counts and rate since the process
        started recording, percentiles of its last spans in the ring (at most
        1,000)."""
        return rows_from([self.row_inputs()])

    def row_inputs(self) -> list[dict[str, Any]]:
        """What :func:`rows_from` makes the rows of, from this process: per view, kind
        and name, the counters and the last totals and parts (µs, at most 1,000)."""
        now = time.time()
        with self.lock:
            counters = [
                (key, agg.count, agg.errors, agg.first, agg.queries, agg.similar, agg.bytes, agg.patches)
                for key, agg in self.aggregates.items()
            ]
            recent: dict[tuple[str, str, str], list[Span]] = {}
            for span in reversed(self.ring):
                bucket = recent.setdefault((span.view, span.kind, span.name), [])
                if len(bucket) < _PERCENTILE_WINDOW:
                    bucket.append(span)
        out = []
        for key, count, errors, first, queries, similar, sent, patches in counters:
            view, kind, name = key
            spans = recent.get(key, [])
            out.append(
                {
                    "view": view,
                    "kind": kind,
                    "name": name,
                    "count": count,
                    "errors": errors,
                    "rate_per_s": count / max(now - first, 1e-3),
                    "queries": queries,
                    "similar_queries": similar,
                    "bytes": sent,
                    "patches": patches,
                    "totals_us": [s.total for s in spans],
                    "parts_us": {p: [s.parts[p] for s in spans] for p in _PARTS},
                }
            )
        return out

    def newest_seq(self) -> int:
        """The sequence number of the newest span in the ring (0 when empty)."""
        with self.lock:
            return self.ring[-1].seq if self.ring else 0

    def process(self) -> dict[str, Any]:
        """Which process this is: ``worker`` (:func:`worker_id`), ``pid``, ``host``,
        ``started`` (Unix time) and ``newest_seq``."""
        return {
            "worker": worker_id(),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": self.started,
            "newest_seq": self.newest_seq(),
        }

    def part(self, since: int | None, not_before: float, limit: int = 10_000) -> dict[str, Any]:
        """This process's part of a snapshot (:func:`merge`): ``process``, ``rows``
        (:meth:`row_inputs`) and the spans after sequence number ``since`` (``None``:
        those that started at or after ``not_before``; ``-1``: none)."""
        process = self.process()
        if since == -1:
            spans: list[dict[str, Any]] = []
        else:
            spans = self.spans(since or 0, limit, not_before if since is None else 0.0)
        return {"process": process, "rows": self.row_inputs(), "spans": spans}

    def clear(self) -> None:
        with self.lock:
            self.ring.clear()
            self.aggregates.clear()
            self.last_traceback = None


#: This process's recorder.
recorder = Recorder()


#: OpenTelemetry's tracer for djust, when ``opentelemetry-api`` is installed.
_tracer: Any = None


def _otel_tracer() -> Any:
    """``opentelemetry.trace.get_tracer("djust")``, or ``None`` without the package. Spans
    go wherever the application configured OpenTelemetry (nowhere by default)."""
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    return trace.get_tracer("djust")


def _export(s: Span) -> None:
    """The span as an OpenTelemetry span named ``djust KIND NAME``, with the parts, the
    queries and the bytes as ``djust.*`` attributes, timed as recorded. Nothing while
    the application has not configured a tracer provider (the API's no-op default)."""
    from opentelemetry import trace

    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return
    start = int(s.at * 1e9)
    otel = _tracer.start_span(
        f"djust {s.kind} {s.name}".rstrip(),
        start_time=start,
        attributes={
            "djust.view": s.view,
            "djust.kind": s.kind,
            "djust.name": s.name,
            "djust.queries": s.queries,
            "djust.similar_queries": max(s.similar, 0),
            "djust.bytes": s.bytes,
            "djust.patches": s.patches,
            **{f"djust.{part}_us": value for part, value in s.parts.items()},
        },
    )
    if s.error:
        from opentelemetry.trace import Status, StatusCode

        otel.set_status(Status(StatusCode.ERROR, s.error))
        otel.set_attribute("djust.error", s.error)
    otel.end(end_time=start + s.total * 1000)


def configure(enabled: bool, ring_size: int | None = None) -> None:
    """Turn recording on or off (and size the ring); called at start-up by the app.
    Queries are seen through Django's ``connection_created`` signal, so connections
    opened from then on report to the span of the thread that runs them."""
    global ENABLED, recorder, _tracer
    if ring_size is not None and ring_size != recorder.ring.maxlen:
        recorder = Recorder(ring_size)
    ENABLED = bool(enabled)
    _watch_queries(ENABLED)
    _tracer = _otel_tracer() if ENABLED else None


#: The mounted sessions of this process while profiling, by the socket's random id, for
#: ``get_view_state``; weak, so a closed socket's session goes away.
sessions: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()


def current() -> Span | None:
    """The span being recorded in this context, if any."""
    return _current.get()


@contextmanager
def span(kind: str, view: str = "", name: str = "") -> Any:
    """Record ``kind`` (``http``, ``mount``, ``event``, ``model``) around the block; the
    span is yielded (``None`` when profiling is off) for the caller to fill in."""
    if not ENABLED:
        yield None
        return
    s = Span(kind, view, name)
    token = _current.set(s)
    try:
        yield s
    except BaseException as exc:
        s.error = type(exc).__name__
        raise
    finally:
        _current.reset(token)
        s.total = (time.perf_counter_ns() - s.started) // 1000
        recorder.add(s)
        if _tracer is not None:
            _export(s)


def now() -> int:
    """The monotonic clock, in nanoseconds (for :func:`add_part`)."""
    return time.perf_counter_ns()


def add_part(span: Span, name: str, since_ns: int) -> None:
    """Add the time since ``since_ns`` (from :func:`now`) to part ``name`` of ``span``."""
    span.parts[name] += (time.perf_counter_ns() - since_ns) // 1000


@contextmanager
def part(name: str) -> Any:
    """Add the block's duration to part ``name`` of the current span (for code off the
    hot path; the consumer and the session use :func:`add_part`)."""
    s = _current.get() if ENABLED else None
    if s is None:
        yield
        return
    started = time.perf_counter_ns()
    try:
        yield
    finally:
        s.parts[name] += (time.perf_counter_ns() - started) // 1000


def _watch(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: report this connection's queries to the current span (one
    execute wrapper per connection object, kept across reconnects)."""
    if _record_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_record_query)


def _watch_queries(on: bool) -> None:
    from django.db import connections
    from django.db.backends.signals import connection_created

    if on:
        connection_created.connect(_watch, dispatch_uid="djust.profiling")
        for conn in connections.all(initialized_only=True):
            _watch(None, conn)
    else:
        connection_created.disconnect(dispatch_uid="djust.profiling")


def _record_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    s = _current.get()
    if s is None:
        return execute(sql, params, many, context)
    started = time.perf_counter_ns()
    try:
        return execute(sql, params, many, context)
    finally:
        s.parts["sql"] += (time.perf_counter_ns() - started) // 1000
        s.queries += 1
        shape = str(sql)[:_MAX_SQL_TEXT]
        if shape in s.query_shapes or len(s.query_shapes) < _MAX_QUERY_SHAPES:
            s.query_shapes[shape] = s.query_shapes.get(shape, 0) + 1
        if s.seen is None:
            s.seen = set()
        key = (shape, repr(params)[:_MAX_SQL_TEXT])
        if key in s.seen:
            s.duplicates += 1
        elif len(s.seen) < 10 * _MAX_QUERY_SHAPES:
            s.seen.add(key)


def traceback_record(span: Span, exc: BaseException) -> dict[str, Any]:
    """The last failure, for ``get_last_traceback`` (served only to authorised clients)."""
    import traceback

    return {
        "at": span.at,
        "view": span.view,
        "kind": span.kind,
        "name": span.name,
        "exception": type(exc).__name__,
        "message": str(exc)[:2000],
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-20_000:],
    }


def view_path(view: Any) -> str:
    """``module.Class`` of a view instance or class."""
    cls = view if isinstance(view, type) else type(view)
    return f"{cls.__module__}.{cls.__qualname__}"
