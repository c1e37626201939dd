"""Streaming from ``async`` handlers (issue 21, point 4): ``stream_to``,
``stream_insert`` (HTML or an item through ``stream_templates``), ``stream_text``,
``stream_delete`` and ``push_state``; the operations leave in order, before the patch
of a ``push_state`` and before the reply, at most one message per frame (~16 ms) with
consecutive text merged. Through the test client and over the real consumer. The
browser side is client/test/streams.test.mjs and the Chromium test of the example's
assistant."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from djust_test_views import Streamer
from livepage import Page

from djust import streaming
from djust.consumer import LiveViewConsumer
from djust.testing import LiveViewTestClient


def ops(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [op for m in messages if m["type"] == "stream" for op in m["ops"]]


def test_an_async_handler_streams_in_order_then_replies() -> None:
    client = LiveViewTestClient(Streamer)
    reply = client.event("run")
    assert reply["type"] == "patch"
    client.assert_patched(text="done")
    assert ops(client.streamed) == [
        {"op": "start", "name": "log"},
        {"op": "text", "name": "log", "text": "Hello <b>"},
        {"op": "insert", "name": "items", "html": "<li id='a'>a</li>", "at": "append"},
        {"op": "insert", "name": "items", "html": '<li id="b">B &amp; co</li>\n', "at": "prepend"},
        {"op": "delete", "name": "items", "id": "a"},
        {"op": "delete", "name": "items", "selector": "li.x"},
        {"op": "done", "name": "log"},
    ]
    kinds = [m["type"] for m in client.streamed]
    # The push_state patch comes after the inserts and before the deletes.
    patch_at = kinds.index("patch")
    assert [p["text"] for p in client.streamed[patch_at]["patches"] if p["op"] == "text"] == ["5"]
    assert len(ops(client.streamed[:patch_at])) == 4 and len(ops(client.streamed[patch_at:])) == 3
    assert kinds.count("stream") <= 3


def test_a_failing_async_handler_sends_what_it_streamed_and_raises() -> None:
    client = LiveViewTestClient(Streamer)
    with pytest.raises(RuntimeError, match="stream broke"):
        client.event("fail_midway")
    assert ops(client.streamed) == [{"op": "text", "name": "log", "text": "partial"}]


def test_stream_methods_outside_an_async_handler_and_bad_arguments_fail_clearly() -> None:
    client = LiveViewTestClient(Streamer)
    with pytest.raises(streaming.StreamError, match="only in an `async def` event handler"):
        asyncio.run(client.view.stream_text("log", "x"))
    with pytest.raises(streaming.StreamError):
        asyncio.run(client.view.push_state())
    with pytest.raises(TypeError, match="name a template for the stream in stream_templates"):
        client.event("bad_insert")
    outbox = streaming.Outbox(send=None, render=None)  # type: ignore[arg-type]
    client.view.__dict__["_djust_outbox"] = outbox
    with pytest.raises(ValueError, match="at is 'append' or 'prepend'"):
        asyncio.run(client.view.stream_insert("items", "<li>", at="middle"))
    with pytest.raises(TypeError, match="a stream name must be a non-empty string"):
        asyncio.run(client.view.stream_text("", "x"))


def test_over_the_socket_tokens_are_coalesced_to_one_message_per_frame() -> None:
    async def run() -> None:
        page = Page("/streamer/")
        communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=page.headers())
        assert (await communicator.connect())[0]
        await communicator.send_json_to(page.mount())
        assert json.loads((await communicator.receive_output(timeout=5))["text"])["type"] == "mounted"
        started = time.monotonic()
        await communicator.send_json_to(
            {"type": "event", "name": "tokens", "params": {"count": "200", "delay": "0.002"}, "ref": 2}
        )
        received = []
        while True:
            message = json.loads((await communicator.receive_output(timeout=10))["text"])
            received.append(message)
            if message.get("ref") == 2:
                break
        elapsed = time.monotonic() - started
        streams = [m for m in received if m["type"] == "stream"]
        text = "".join(op["text"] for op in ops(streams) if op["op"] == "text")
        assert text == "".join(f"{i} " for i in range(200))
        # 200 tokens over at least 0.4 s: no more than one message per 16 ms frame (+1
        # for the first, sent at once), and far fewer than one per token.
        assert len(streams) <= elapsed / streaming.FRAME_SECONDS + 2, (len(streams), elapsed)
        assert len(streams) < 100
        assert received[-1]["type"] == "patch" and all("ref" not in m for m in received[:-1])
        await communicator.disconnect()

    asyncio.run(run())
