"""`djust profile` against the example project on Daphne (127.0.0.1) with a profile
token: a WebSocket client mounts a view and sends a known number of events that each
run exactly K queries; the CLI's JSON report has exactly those counts, the bytes the
client received, and durations whose parts never exceed the totals. The endpoint
refuses a missing and a wrong token, over the real server."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
from conftest import PROFILE_TOKEN, mount

ROOT = Path(__file__).resolve().parents[2]
DJUST = os.environ.get("DJUST_BIN", str(ROOT / "target" / "debug" / "djust"))
EVENTS = 5
K = 3


def profile(server, *args: str, token: str | None = PROFILE_TOKEN) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DJUST_PROFILE_TOKEN"}
    if token is not None:
        env["DJUST_PROFILE_TOKEN"] = token
    return subprocess.Popen(
        [DJUST, "profile", server.base, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_report_counts_exactly_the_events_their_queries_and_bytes(server, tmp_path) -> None:
    browser = server.browser()
    token = browser.page("/queries/")
    cli = profile(server, "--duration", "4s", "--interval", "200ms", "--json")
    scope_file = tmp_path / "profile.speedscope.json"
    scope = profile(server, "--duration", "4s", "--interval", "200ms", "--format", "speedscope", "-o", str(scope_file))
    time.sleep(1.0)  # the CLIs have taken their starting point
    received_bytes = []
    with browser.socket() as sock:
        sock.send(mount("/queries/", token))
        first = sock.conn.recv(timeout=10)
        assert json.loads(first)["type"] == "mounted"
        received_bytes.append(len(first.encode()))
        for i in range(EVENTS):
            sock.send({"type": "event", "name": "run", "params": {"k": K}, "ref": i})
            text = sock.conn.recv(timeout=10)
            assert json.loads(text)["type"] == "patch", text
            received_bytes.append(len(text.encode()))
    out, err = cli.communicate(timeout=30)
    assert cli.returncode == 0, err
    report = json.loads(out)
    rows = {(r["view"], r["kind"], r["name"]): r for r in report["rows"]}
    run = rows[("security_views.QueriesView", "event", "run")]
    mounted = rows[("security_views.QueriesView", "mount", "")]
    assert run["count"] == EVENTS and mounted["count"] == 1
    assert run["queries"] == EVENTS * K and run["queries_per_event"] == K
    assert run["n_plus_one"] is True and run["similar_queries"] == EVENTS * (K - 1)
    assert mounted["bytes"] + run["bytes"] == sum(received_bytes)
    assert run["errors"] == 0 and run["patches"] >= EVENTS
    assert report["process"]["pid"] > 0
    for row in (run, mounted):
        assert 0 < row["total_us"]["p50"] <= row["total_us"]["max"]
        for part, values in row["parts_us"].items():
            assert 0 <= values["max"] <= row["total_us"]["max"], (part, row)
    assert run["parts_us"]["handler"]["max"] > 0 and run["parts_us"]["render"]["max"] > 0

    # The speedscope file: one evented profile for the socket, a frame per message with
    # its parts nested inside, opened and closed in order.
    assert scope.wait(timeout=30) == 0, scope.stderr.read()
    document = json.loads(scope_file.read_text())
    assert document["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    frames = [f["name"] for f in document["shared"]["frames"]]
    (socket_profile,) = [p for p in document["profiles"] if p["name"] != "djust pages"]
    assert socket_profile["type"] == "evented" and socket_profile["unit"] == "microseconds"
    stack, last, opened = [], 0, []
    for ev in socket_profile["events"]:
        assert ev["at"] >= last
        last = ev["at"]
        if ev["type"] == "O":
            stack.append(ev["frame"])
            if len(stack) == 1:
                opened.append(frames[ev["frame"]])
        else:
            assert stack.pop() == ev["frame"]
    assert stack == [] and last == socket_profile["endValue"]
    assert opened == ["QueriesView mount"] + ["QueriesView event run"] * EVENTS
    assert {"handler", "render", "send"} <= set(frames)


def test_a_missing_or_wrong_token_is_refused_with_what_to_do(server) -> None:
    assert httpx.get(f"{server.base}/_djust/profile/").status_code == 401
    headers = {"Authorization": "Bearer not-the-token-at-all"}
    assert httpx.get(f"{server.base}/_djust/profile/", headers=headers).status_code == 403
    ok = httpx.get(f"{server.base}/_djust/profile/", headers={"Authorization": f"Bearer {PROFILE_TOKEN}"})
    assert ok.status_code == 200 and ok.json()["recording"] is True
    for token, status in ((None, "401"), ("not-the-token-at-all", "403")):
        cli = profile(server, "--duration", "1s", token=token)
        _, err = cli.communicate(timeout=30)
        assert cli.returncode == 2
        assert f"answered {status}" in err and "--token" in err, err
    server.assert_alive()


def test_the_mcp_live_tools_read_the_same_endpoint(server) -> None:
    """get_handler_timings, get_sql_queries, get_last_traceback and get_view_state
    through the official MCP SDK, on djust mcp configured with the server and token."""
    import asyncio

    from mcp import Client, StdioServerParameters

    browser = server.browser()
    token = browser.page("/queries/")
    started = time.time()
    with browser.socket() as sock:
        sock.send(mount("/queries/", token))
        assert sock.recv()["type"] == "mounted"
        sock.send({"type": "event", "name": "run", "params": {"k": 2}, "ref": 1})
        assert sock.recv()["type"] == "patch"
        sock.send({"type": "event", "name": "run", "params": {"k": "boom"}, "ref": 2})
        assert sock.recv()["code"] == "server_error"

        async def body():
            env = {**os.environ, "DJUST_PROFILE_URL": server.base, "DJUST_PROFILE_TOKEN": PROFILE_TOKEN}
            params = StdioServerParameters(command=DJUST, args=["mcp"], cwd=str(ROOT), env=env)
            async with Client(params) as client:
                timings = await client.call_tool("get_handler_timings", {})
                sql = await client.call_tool("get_sql_queries", {"since": started})
                tb = await client.call_tool("get_last_traceback", {})
                assert not sql.is_error, sql.content
                session_id = sql.structured_content["events"][-1]["session"]
                state = await client.call_tool("get_view_state", {"session": session_id})
                gone = await client.call_tool("get_view_state", {"session": "no-such-session"})
                return timings, sql, tb, state, gone

        timings, sql, tb, state, gone = asyncio.run(body())
    assert not timings.is_error
    rows = {(r["view"], r["kind"], r["name"]) for r in timings.structured_content["rows"]}
    assert ("security_views.QueriesView", "event", "run") in rows
    (event,) = [e for e in sql.structured_content["events"] if e["kind"] == "event"]
    assert event["queries"] == 2 and event["similar_queries"] == 1
    assert tb.structured_content["traceback"]["exception"] == "ValueError"
    assert "invalid literal for int()" in tb.structured_content["traceback"]["traceback"]
    assert state.structured_content["state"] == {"runs": 1}
    assert state.structured_content["view"] == "security_views.QueriesView"
    assert gone.is_error and "404" in gone.content[0].text


def _screen(session: str) -> str:
    done = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=False)
    return done.stdout


def _wait_for(session: str, predicate, what: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(session)
        if predicate(screen):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"the live view never showed {what}:\n{screen}")


def test_the_live_view_draws_sorts_survives_a_restart_and_quits(server, tmp_path) -> None:
    """`djust profile URL` on a terminal (tmux, 160x40) against a second server of its
    own: the rows appear, → changes the sort column, the server going away shows
    "disconnected", its restart is followed, q quits."""
    from conftest import launch

    proc, base, log = launch(server.env, tmp_path / "second.log")
    port = base.rsplit(":", 1)[1]
    session = f"djust-profile-{os.getpid()}"
    command = f"DJUST_PROFILE_TOKEN={PROFILE_TOKEN} {DJUST} profile {base} --interval 200ms"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40", command], check=True)
    try:
        _wait_for(session, lambda s: "connected (pid" in s, "the connection")
        browser = server.browser()
        browser.server = type(server)(base, proc, log, server.env)
        token = browser.page("/queries/")
        with browser.socket() as sock:
            sock.send(mount("/queries/", token))
            assert sock.recv()["type"] == "mounted"
            for i in range(3):
                sock.send({"type": "event", "name": "run", "params": {"k": 2}, "ref": i})
                assert sock.recv()["type"] == "patch"
        screen = _wait_for(session, lambda s: "QueriesView event run" in s, "the event row")
        row = next(line for line in screen.splitlines() if "QueriesView event run" in line)
        assert row.split()[3] == "3", row  # n
        assert "2.0 N+1" in row, row
        assert "sorted by p50 ms" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "Right"], check=True)
        _wait_for(session, lambda s: "sorted by p95 ms" in s and "p95 ms▼" in s, "the new sort column")

        proc.terminate()
        proc.wait(timeout=10)
        _wait_for(session, lambda s: "disconnected:" in s, "the disconnection")
        proc, _, _ = launch(server.env, tmp_path / "second.log", port=int(port))
        _wait_for(
            session,
            lambda s: "reconnected (pid" in s or ("connected (pid" in s and "disconnected" not in s),
            "the reconnection",
        )

        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 10
        while subprocess.run(["tmux", "has-session", "-t", session], check=False, capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "q did not quit"
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
        proc.terminate()
        proc.wait(timeout=10)
