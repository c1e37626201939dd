"""``djust.profiling`` on the real path (the consumer, the page) and the profile
endpoint's access rules (``djust.profile_views``), the deploy check ``djust.W101``."""

import pytest
from django.core import checks
from django.test import Client, override_settings
from livepage import Page

from djust import _rust, profiling

TOKEN = "a-profile-token-of-24-chars"


@pytest.fixture
def recording():
    profiling.configure(True)
    profiling.recorder.clear()
    yield profiling.recorder
    profiling.configure(False)
    profiling.recorder.clear()


def test_each_event_is_one_span_with_its_parts_and_bytes(recording) -> None:
    page = Page("/queries/")
    recording.clear()  # the page's own GET is a span too (test_the_page_render_is_a_span)
    run = {"type": "event", "name": "run", "params": {"k": 4}}
    replies = page.talk(page.mount(), {**run, "ref": 2}, {**run, "ref": 3}, {**run, "ref": 4})
    assert [r["type"] for r in replies] == ["mounted", "patch", "patch", "patch"]
    spans = recording.spans()
    assert [(s["kind"], s["name"]) for s in spans] == [
        ("mount", ""),
        ("event", "run"),
        ("event", "run"),
        ("event", "run"),
    ]
    for span, reply in zip(spans, replies):
        assert span["view"] == "djust_test_views.Queries"
        # What the client received, byte for byte.
        assert span["bytes"] == len(_rust.dumps(reply, compact=True, ensure_ascii=False).encode())
        assert span["total_us"] > 0 and span["parts_us"]["render"] > 0
        assert sum(span["parts_us"].values()) - span["parts_us"]["sql"] <= span["total_us"]
        assert span["queries"] == 0 and span["parts_us"]["sql"] == 0
    # The state's size is measured on the first render and every 16th after.
    assert [s["state_bytes"] for s in spans] == [len(b'{"total":0}')] * 4
    for span, reply in zip(spans[1:], replies[1:]):
        assert span["patches"] == len(reply["patches"]) == 1
    (row,) = [r for r in recording.rows() if r["kind"] == "event"]
    assert row["count"] == 3 and row["patches"] == 3 and row["errors"] == 0
    assert 0 < row["total_us"]["p50"] <= row["total_us"]["p95"] <= row["total_us"]["max"]


def test_a_failing_handler_is_a_span_with_its_exception_and_the_last_traceback(recording) -> None:
    page = Page("/queries/")
    recording.clear()
    _, failed = page.talk(page.mount(), {"type": "event", "name": "fail", "params": {}, "ref": 2})
    assert failed["code"] == "server_error"
    span = recording.spans()[-1]
    assert span["error"] == "LookupError" and span["name"] == "fail"
    assert recording.last_traceback["exception"] == "LookupError"
    assert "no such row" in recording.last_traceback["traceback"]


def test_the_page_render_is_a_span(recording) -> None:
    response = Client().get("/queries/")
    assert response.status_code == 200
    (span,) = recording.spans()
    assert (span["kind"], span["view"], span["name"]) == ("http", "djust_test_views.Queries", "GET")
    assert span["parts_us"]["render"] > 0 and span["bytes"] > 0


def test_nothing_is_recorded_when_profiling_is_off() -> None:
    profiling.configure(False)
    profiling.recorder.clear()
    page = Page("/counter/")
    page.talk(page.mount(), {"type": "event", "name": "inc", "params": {}, "ref": 2})
    assert profiling.recorder.spans() == []


def test_the_ring_is_bounded() -> None:
    profiling.configure(True, ring_size=5)
    try:
        for i in range(12):
            with profiling.span("event", "v", f"e{i}"):
                pass
        assert [s["name"] for s in profiling.recorder.spans()] == [f"e{i}" for i in range(7, 12)]
        assert profiling.recorder.spans(since=profiling.recorder.spans()[-2]["seq"])[0]["name"] == "e11"
    finally:
        profiling.configure(False, ring_size=10_000)


def test_the_rows_are_bounded_whatever_names_clients_send(recording) -> None:
    """An event's name is the client's: a process keeps at most MAX_ROWS rows, the
    rest counting under ``(other)``, and a long name is cut (regression: each new name
    was a new row, without end)."""
    for i in range(profiling.MAX_ROWS + 100):
        with profiling.span("event", "v", f"no_such_handler_{i}" + "x" * 1000):
            pass
    rows = recording.rows()
    assert len(rows) == profiling.MAX_ROWS + 1
    (other,) = [r for r in rows if r["name"] == "(other)"]
    assert other["count"] == 100
    assert max(len(r["name"]) for r in rows) <= 101
    assert sum(r["count"] for r in rows) == profiling.MAX_ROWS + 100


def test_rows_of_several_workers_merge(recording) -> None:
    """The rows of two processes together: counts and queries add up, percentiles are
    over both processes' spans (djust.profiling.rows_from)."""

    def row(count: int, totals: list[int]) -> dict:
        parts = {
            p: [t // 2 for t in totals] for p in ("handler", "sql", "render", "diff", "serialize", "encode", "send")
        }
        return {"view": "v", "kind": "event", "name": "add", "count": count, "errors": 1, "rate_per_s": 2.0,
                "queries": 3 * count, "similar_queries": 0, "bytes": 10 * count, "patches": count,
                "totals_us": totals, "parts_us": parts}  # fmt: skip

    (merged,) = profiling.rows_from([[row(2, [10, 20])], [row(3, [30, 40, 1000])]])
    assert (merged["count"], merged["errors"], merged["queries"], merged["bytes"]) == (5, 2, 15, 50)
    assert merged["rate_per_s"] == 4.0
    assert merged["total_us"] == {"p50": 30, "p95": 1000, "p99": 1000, "max": 1000}
    assert merged["parts_us"]["handler"]["max"] == 500


def test_the_cursor_pages_the_spans(recording) -> None:
    """``cursor=newest`` starts after what is kept; each answer's cursor gives the spans
    recorded since; a cursor the endpoint did not write is a 400."""
    local = Client(REMOTE_ADDR="127.0.0.1")
    with override_settings(DEBUG=True):
        with profiling.span("event", "v", "before"):
            pass
        first = local.get("/_djust/profile/?cursor=newest").json()
        assert first["spans"] == [] and first["merged"] is False
        assert [w["worker"] for w in first["workers"]] == [profiling.worker_id()]
        for name in ("a", "b"):
            with profiling.span("event", "v", name):
                pass
        second = local.get(f"/_djust/profile/?cursor={first['cursor']}").json()
        assert [s["name"] for s in second["spans"]] == ["a", "b"]
        assert {s["worker"] for s in second["spans"]} == {profiling.worker_id()}
        third = local.get(f"/_djust/profile/?cursor={second['cursor']}").json()
        assert third["spans"] == []
        everything = local.get("/_djust/profile/").json()
        assert [s["name"] for s in everything["spans"]] == ["before", "a", "b"]
        for bad in ("garbage", "e30", "bnVsbA"):  # not base64 JSON; "{"; "null"
            response = local.get(f"/_djust/profile/?cursor={bad}")
            assert response.status_code == 400 and "cursor" in response.json()["error"], bad


@override_settings(DEBUG=False)
def test_the_endpoint_is_off_without_debug_or_a_token() -> None:
    assert Client().get("/_djust/profile/").status_code == 404


@override_settings(DEBUG=True)
def test_without_a_token_only_loopback_clients_are_served() -> None:
    assert Client(REMOTE_ADDR="127.0.0.1").get("/_djust/profile/").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/_djust/profile/").status_code == 200
    for address in ("10.1.2.3", "192.168.0.7", "2001:db8::1", "", "not-an-ip"):
        response = Client(REMOTE_ADDR=address).get("/_djust/profile/")
        assert response.status_code == 403, address
        assert "DJUST_PROFILE_TOKEN" in response.json()["error"]


@override_settings(DEBUG=False, DJUST={"PROFILE_TOKEN": TOKEN})
def test_with_a_token_every_request_needs_it() -> None:
    remote = Client(REMOTE_ADDR="10.1.2.3")
    missing = remote.get("/_djust/profile/")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert remote.get("/_djust/profile/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert remote.get("/_djust/profile/", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    ok = remote.get("/_djust/profile/?since=0", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200
    body = ok.json()
    assert set(body) >= {"process", "rows", "spans", "last_seq", "now", "recording"}
    assert isinstance(body["process"]["pid"], int)
    assert remote.get("/_djust/profile/traceback/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    # A loopback client needs it too once a token is set.
    assert Client(REMOTE_ADDR="127.0.0.1").get("/_djust/profile/").status_code == 401


@override_settings(DEBUG=False, DJUST={"PROFILE_TOKEN": "short"})
def test_a_short_token_is_a_configuration_error() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="at least 16 characters"):
        Client().get("/_djust/profile/")


def test_the_deploy_check_warns_when_the_endpoint_is_served_without_a_token() -> None:
    with override_settings(DEBUG=True):
        found = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "djust.W101"]
        assert len(found) == 1 and "/_djust/profile/" in found[0].msg
        assert [m for m in checks.run_checks() if m.id == "djust.W101"] == []  # deploy only
    with override_settings(DEBUG=True, DJUST={"PROFILE_TOKEN": TOKEN}):
        assert [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "djust.W101"] == []


def test_spans_are_exported_to_opentelemetry_when_it_is_installed() -> None:
    """With a TracerProvider configured (the SDK's in-memory exporter here), each djust
    span becomes an OpenTelemetry span with its timings as attributes."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    profiling.configure(True)
    try:
        page = Page("/queries/")
        exporter.clear()
        page.talk(
            page.mount(),
            {"type": "event", "name": "run", "params": {"k": 2}, "ref": 2},
            {"type": "event", "name": "fail", "params": {}, "ref": 3},
        )
    finally:
        profiling.configure(False)
        profiling.recorder.clear()
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["djust mount", "djust event run", "djust event fail"]
    run = spans[1]
    assert run.attributes["djust.view"] == "djust_test_views.Queries"
    assert run.attributes["djust.render_us"] > 0 and run.attributes["djust.bytes"] > 0
    assert run.end_time - run.start_time >= run.attributes["djust.render_us"] * 1000
    assert spans[2].status.status_code == trace.StatusCode.ERROR
    assert spans[2].attributes["djust.error"] == "LookupError"
