"""Background work (issue 21, point 5): ``start_async``, ``cancel_async``,
``handle_async_result`` and ``@background``, through the test client (which runs tasks
when the test says) and through the real consumer over Channels' in-process WebSocket
(tasks as asyncio tasks: order, concurrency with events, cancellation, the limit). The
browser's loading state is client/test/client.test.mjs and the Chromium test of the
example's product page."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, Self

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from djust_test_views import Worker, WorkerDefault
from livepage import Page

from djust.consumer import LiveViewConsumer
from djust.testing import LiveViewTestClient

# -- the test client ---------------------------------------------------------------------


def test_the_reply_shows_the_state_before_the_work_and_lists_the_task() -> None:
    client = LiveViewTestClient(Worker)
    reply = client.event("begin", value="7")
    assert reply["pending"] == ["square"] and client.pending_async == ["square"]
    client.assert_patched(text="working")
    assert client.state["status"] == "working"
    done = client.await_async()
    assert done["type"] == "patch" and done["done"] == ["square"]
    client.assert_patched(text="done")
    assert client.view.results == [("square", 49)]
    # What the task pushed rides on the reply that ends it.
    assert client.pushed_events == [("progress", {"n": 7})]
    assert client.pending_async == []
    with pytest.raises(AssertionError, match="no background task"):
        client.await_async()


def test_async_def_callbacks_run_too() -> None:
    client = LiveViewTestClient(Worker)
    client.event("begin_async")
    assert client.pending_async == ["_coroutine"]
    client.await_async("_coroutine")
    assert client.view.results == [("_coroutine", 4)]


def test_an_exception_in_the_callback_reaches_handle_async_result() -> None:
    client = LiveViewTestClient(Worker)
    client.event("begin_failing")
    reply = client.await_async()
    assert reply["done"] == ["fail"] and client.state["status"] == "failed: the service is down"


def test_the_default_handle_async_result_reraises_errors() -> None:
    client = LiveViewTestClient(WorkerDefault)
    client.event("begin_failing")
    with pytest.raises(ValueError, match="the service is down"):
        client.await_async()


def test_cancel_async_delivers_a_cancellation_and_a_restart_supersedes() -> None:
    client = LiveViewTestClient(Worker)
    client.event("begin", value="2")
    client.event("stop")
    assert "pending" not in client.reply
    client.await_async()
    assert client.state["status"] == "square: CancelledError" and client.view.results == []
    # Starting the same name again replaces the pending task: one result, the last.
    client.event("begin", value="3")
    client.event("begin", value="4")
    assert client.pending_async == ["square"]
    client.await_async()
    assert client.view.results == [("square", 16)]


def test_a_failed_handler_starts_nothing() -> None:
    client = LiveViewTestClient(Worker)
    with pytest.raises(RuntimeError, match="the handler failed"):
        client.event("begin_then_fail")
    assert client.pending_async == []


def test_at_background_runs_the_whole_handler_later() -> None:
    client = LiveViewTestClient(Worker)
    client.event("inc", step="2")
    before = client.state["count"]
    assert before == 2
    reply = client.event("slow_total", factor="3")
    assert reply["pending"] == ["slow_total"] and client.patches == []
    assert client.state["count"] == before
    client.await_async()
    assert client.state["count"] == before * 3 and client.state["status"] == "done"
    assert client.view.results == [("slow_total", None)]


def test_start_async_checks_its_arguments_at_the_call() -> None:
    client = LiveViewTestClient(Worker)
    with pytest.raises(TypeError, match="the callback must be callable"):
        client.view.start_async("not callable")
    with pytest.raises(TypeError, match="the task name must be a non-empty string"):
        client.view.start_async(print, name="")
    with pytest.raises(TypeError, match="the task name must be a non-empty string"):
        client.view.cancel_async(None)


# -- the real consumer ---------------------------------------------------------------------


class Socket:
    """One WebSocket to the real consumer, opened as the page's browser would."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=page.headers())

    async def __aenter__(self) -> Self:
        connected, _ = await self.communicator.connect()
        assert connected
        mounted = await self.send(self.page.mount())
        assert mounted["type"] == "mounted", mounted
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.communicator.disconnect()

    async def send(self, message: dict[str, Any]) -> dict[str, Any]:
        await self.communicator.send_json_to(message)
        return await self.receive()

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        out = await self.communicator.receive_output(timeout=timeout)
        assert out["type"] == "websocket.send", f"the socket closed: {out}"
        return json.loads(out["text"])

    async def nothing_more(self) -> bool:
        return await self.communicator.receive_nothing(timeout=0.3)


def event(name: str, ref: int, **params: Any) -> dict[str, Any]:
    return {"type": "event", "name": name, "params": params, "ref": ref}


def texts(reply: dict[str, Any]) -> list[str]:
    return [p["text"] for p in reply.get("patches", []) if p["op"] == "text"]


def test_over_the_socket_the_reply_comes_first_then_the_result_with_done() -> None:
    async def run() -> None:
        async with Socket(Page("/worker/")) as ws:
            reply = await ws.send(event("begin", 1, value="5"))
            assert reply["ref"] == 1 and reply["pending"] == ["square"] and texts(reply) == ["working"]
            done = await ws.receive()
            assert "ref" not in done and done["done"] == ["square"] and done["v"] == reply["v"] + 1
            assert texts(done) == ["done"]
            assert done["events"] == [{"event": "progress", "payload": {"n": 5}}]

    asyncio.run(run())


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A ``threading.Event`` every mounted Worker's tasks wait on (set at the end)."""
    event = threading.Event()
    original = Worker.mount

    def mount(self: Worker, request: Any, **kwargs: Any) -> None:
        original(self, request, **kwargs)
        self.gate = event

    monkeypatch.setattr(Worker, "mount", mount)
    yield event
    event.set()


def test_over_the_socket_events_are_answered_while_a_task_runs_and_cancel_works(gate: threading.Event) -> None:
    async def run() -> None:
        async with Socket(Page("/worker/")) as ws:
            await ws.send(event("begin", 1, value="3"))
            # The task waits on the gate in its worker thread; events still get answers.
            reply = await ws.send(event("inc", 2))
            assert reply["ref"] == 2 and reply["type"] == "patch"
            reply = await ws.send(event("stop", 3))
            assert reply["ref"] == 3 and "pending" not in reply
            cancelled = await ws.receive()
            assert cancelled["done"] == ["square"] and texts(cancelled) == ["square: CancelledError"]
            gate.set()  # the thread finishes; its result is dropped
            assert await ws.nothing_more()

    asyncio.run(run())


def test_over_the_socket_an_error_reply_ends_the_task_and_keeps_the_socket() -> None:
    async def run() -> None:
        async with Socket(Page("/worker-default/")) as ws:
            await ws.send(event("begin_failing", 1))
            failed = await ws.receive()
            assert failed["type"] == "error" and failed["code"] == "server_error" and failed["done"] == ["fail"]
            reply = await ws.send(event("inc", 2))
            assert reply["type"] == "patch" and reply["ref"] == 2

    asyncio.run(run())


@override_settings(DJUST={"MAX_ASYNC_TASKS": 2})
def test_over_the_socket_tasks_beyond_the_limit_are_refused_through_handle_async_result(gate: threading.Event) -> None:
    async def run() -> None:
        async with Socket(Page("/worker/")) as ws:
            reply = await ws.send(event("begin_many", 1, count="3"))
            assert reply["pending"] == ["t0", "t1", "t2"]
            refused = await ws.receive()
            assert refused["done"] == ["t2"] and texts(refused) == ["t2: RuntimeError"]
            gate.set()
            finished = sorted([(await ws.receive())["done"][0], (await ws.receive())["done"][0]])
            assert finished == ["t0", "t1"]

    asyncio.run(run())


def test_closing_the_socket_cancels_its_tasks(gate: threading.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(Worker, "handle_async_result", lambda self, name, result=None, error=None: seen.append(name))

    async def run() -> None:
        async with Socket(Page("/worker/")) as ws:
            reply = await ws.send(event("begin", 1))
            assert reply["pending"] == ["square"]
        gate.set()
        await asyncio.sleep(0.3)

    asyncio.run(run())
    assert seen == []
