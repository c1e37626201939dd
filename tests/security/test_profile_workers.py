"""The profile endpoint across worker processes: two Daphne processes of the example
project share a channel layer on a real Redis (Debian's ``redis-server``, on
127.0.0.1), each serving its own WebSocket clients. Whichever process ``djust profile``
reaches, its report counts every worker's events; the SSE stream, the last traceback
and a view's state come from the worker that has them; ``?workers=self`` is one
process's own; with Redis gone, the process that answers still serves its own spans and
says why the others are missing."""

from __future__ import annotations

import json
import time

import httpx
from conftest import PROFILE_TOKEN, Server, _free_port, launch, mount
from test_profile import profile

AUTH = {"Authorization": f"Bearer {PROFILE_TOKEN}"}
VIEW = "security_views.QueriesView"


def run_events(server: Server, count: int, k: int) -> None:
    """Mount QueriesView on ``server`` and send ``count`` events of ``k`` queries."""
    browser = server.browser()
    token = browser.page("/queries/")
    with browser.socket() as sock:
        sock.send(mount("/queries/", token))
        assert sock.recv()["type"] == "mounted"
        for i in range(count):
            sock.send({"type": "event", "name": "run", "params": {"k": k}, "ref": i})
            assert sock.recv()["type"] == "patch"


def test_the_report_merges_every_worker(workers) -> None:
    a, b = workers
    cli = profile(a, "--duration", "5s", "--interval", "300ms", "--json")
    time.sleep(1.5)  # the CLI has its starting point
    run_events(a, 3, 2)
    run_events(b, 4, 2)
    out, err = cli.communicate(timeout=60)
    assert cli.returncode == 0, err
    report = json.loads(out)
    run = next(r for r in report["rows"] if (r["view"], r["kind"], r["name"]) == (VIEW, "event", "run"))
    mounts = next(r for r in report["rows"] if (r["view"], r["kind"]) == (VIEW, "mount"))
    assert run["count"] == 7 and run["queries"] == 14 and mounts["count"] == 2
    pids = {w["pid"] for w in report["workers"]}
    assert pids == {a.proc.pid, b.proc.pid}, report["workers"]
    assert report["process"]["pid"] == a.proc.pid

    # Each process on its own, and the merged answer of the other one.
    own = httpx.get(f"{a.base}/_djust/profile/?workers=self", headers=AUTH, timeout=10).json()
    assert own["merged"] is False and [w["pid"] for w in own["workers"]] == [a.proc.pid]
    assert {s["worker"].split("/")[1] for s in own["spans"]} == {str(a.proc.pid)}
    merged = httpx.get(f"{b.base}/_djust/profile/", headers=AUTH, timeout=10).json()
    assert merged["merged"] is True and merged["workers_error"] is None
    assert {w["pid"] for w in merged["workers"]} == {a.proc.pid, b.proc.pid}
    row = next(r for r in merged["rows"] if (r["view"], r["kind"], r["name"]) == (VIEW, "event", "run"))
    assert row["count"] >= 7  # and whatever earlier tests sent to these processes

    # The table names both processes.
    table = profile(b, "--duration", "1s", "--interval", "300ms")
    out, err = table.communicate(timeout=30)
    assert table.returncode == 0, err
    assert f"2 workers: pids {min(pids)}, {max(pids)}" in out or f"2 workers: pids {max(pids)}, {min(pids)}" in out, out


def test_the_stream_traceback_and_state_come_from_the_worker_that_has_them(workers) -> None:
    a, b = workers
    browser = b.browser()
    token = browser.page("/queries/")
    with browser.socket() as sock:
        sock.send(mount("/queries/", token))
        assert sock.recv()["type"] == "mounted"
        sock.send({"type": "event", "name": "run", "params": {"k": 1}, "ref": 1})
        assert sock.recv()["type"] == "patch"
        sock.send({"type": "event", "name": "run", "params": {"k": "boom"}, "ref": 2})
        assert sock.recv()["code"] == "server_error"

        # The SSE stream of process a carries b's spans.
        seen = []
        with httpx.stream("GET", f"{a.base}/_djust/profile/stream/?seconds=2", headers=AUTH, timeout=30) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("data: "):
                    seen += json.loads(line[len("data: ") :])["spans"]
        mine = [s for s in seen if s["worker"].split("/")[1] == str(b.proc.pid) and s["name"] == "run"]
        assert len(mine) >= 2, seen
        session = mine[-1]["session"]

        tb = httpx.get(f"{a.base}/_djust/profile/traceback/", headers=AUTH, timeout=10).json()["traceback"]
        assert tb["exception"] == "ValueError" and "invalid literal for int()" in tb["traceback"]
        state = httpx.get(f"{a.base}/_djust/profile/state/?session={session}", headers=AUTH, timeout=10)
        assert state.status_code == 200 and state.json()["state"] == {"runs": 1}
        alone = httpx.get(f"{a.base}/_djust/profile/state/?session={session}&workers=self", headers=AUTH, timeout=10)
        assert alone.status_code == 404


def test_without_redis_each_process_still_answers_for_itself(server, tmp_path) -> None:
    """A shared layer that cannot be reached: the answer is this process's, and
    ``workers_error`` says why the others are missing. (Its WebSockets need the layer:
    Channels gives each consumer a channel there; pages are served.)"""
    dead = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    env = {**server.env, "DJUST_SECURITY_REDIS": dead}
    proc, base, log = launch(env, tmp_path / "alone.log")
    try:
        lone = Server(base, proc, log, env)
        lone.browser().page("/queries/")
        answer = httpx.get(f"{base}/_djust/profile/", headers=AUTH, timeout=30).json()
        assert [w["pid"] for w in answer["workers"]] == [proc.pid]
        assert "channel layer" in answer["workers_error"]
        assert any(s["kind"] == "http" and s["view"] == VIEW for s in answer["spans"])
        lone.assert_alive()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
