"""Uploads over the socket (issue 21, point 6): ``allow_upload`` checks count, size and
type before anything is stored; accepted files arrive in binary chunks, each checked
(offset, chunk size, declared size) and answered with the progress; handlers take
them with ``consume_uploaded_entries``; temporary files go away. Through the test
client and over the real consumer with binary frames. The browser side is
client/test/uploads.test.mjs and the Chromium test of the example's returns page."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from channels.testing import WebsocketCommunicator
from django.test import override_settings
from djust_test_views import Uploader
from livepage import Page

from djust.consumer import LiveViewConsumer
from djust.testing import LiveViewTestClient


def test_files_arrive_in_chunks_with_progress_and_are_consumed() -> None:
    client = LiveViewTestClient(Uploader)
    reply = client.upload("photos", [("a.png", b"x" * 25, "image/png"), ("b.jpg", b"hello", "image/jpeg")])
    assert reply["type"] == "patch" and reply["upload"] == {"name": "photos", "id": "1", "received": 5}
    assert "a.png 100% done" in client.html and "b.jpg 100% done" in client.html
    entries = client.view.uploads.photos.entries
    paths = [e.path for e in entries]
    assert all(os.path.exists(p) for p in paths)
    client.event("save")
    assert client.state["saved"] == [["a.png", 25, "x" * 25], ["b.jpg", 5, "hello"]]
    assert not any(os.path.exists(p) for p in paths), "consumed files are deleted"
    assert client.view.uploads.photos.entries == []


def test_size_type_and_count_are_checked_before_anything_is_stored() -> None:
    client = LiveViewTestClient(Uploader)
    reply = client.upload(
        "photos",
        [("big.png", b"x" * 101, "image/png"), ("c.gif", b"GIF", "image/gif"), ("ok.png", b"ok", "image/png")],
    )
    html = client.html
    assert "too large: 101 bytes (at most 100)" in html
    assert "not an accepted type (.png, image/jpeg)" in html
    assert "too many files: 3 (at most 2)" in html
    # Only ok.png would be accepted, but it is the third file: refused too.
    assert reply["upload"]["accepted"] == []
    assert all(e.path is None for e in client.view.uploads.photos.entries)


def test_progress_is_rendered_per_chunk() -> None:
    client = LiveViewTestClient(Uploader)
    start = client.session.upload("photos", [{"id": "0", "name": "a.png", "size": 30, "type": "image/png"}])
    assert start["upload"] == {"name": "photos", "accepted": ["0"], "chunk": 10}
    texts = []
    for offset in (0, 10, 20):
        reply = client.session.upload_chunk({"name": "photos", "id": "0", "offset": offset}, b"y" * 10)
        texts += [p.get("text", "") for p in reply["patches"] if p["op"] == "text"]
    assert [t for t in texts if "%" in t] == ["a.png 33%", "a.png 66%", "a.png 100% done"]


def frame(header: dict[str, Any], data: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(2, "big") + raw + data


def test_over_the_socket_chunks_are_checked_and_files_go_with_the_socket(tmp_path, monkeypatch) -> None:
    import tempfile

    # The temporary files of this test's uploads, where it can see them.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen_paths: list[str] = []

    async def run() -> list[dict[str, Any]]:
        page = Page("/uploader/")
        communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=page.headers())
        assert (await communicator.connect())[0]
        replies = []

        async def send(message: Any) -> dict[str, Any]:
            if isinstance(message, bytes):
                await communicator.send_to(bytes_data=message)
            else:
                await communicator.send_json_to(message)
            out = await communicator.receive_output(timeout=5)
            assert out["type"] == "websocket.send", out
            replies.append(json.loads(out["text"]))
            return replies[-1]

        await send(page.mount())
        entries = [
            {"id": "0", "name": "a.png", "size": 12, "type": "image/png"},
            {"id": "1", "name": "b.exe", "size": 3, "type": "application/octet-stream"},
        ]
        started = await send({"type": "upload", "name": "photos", "entries": entries, "ref": 2})
        assert started["upload"]["accepted"] == ["0"] and started["ref"] == 2
        ok = await send(frame({"name": "photos", "id": "0", "offset": 0}, b"0123456789"))
        assert ok["upload"] == {"name": "photos", "id": "0", "received": 10}
        wrong_offset = await send(frame({"name": "photos", "id": "0", "offset": 0}, b"ab"))
        assert wrong_offset["code"] == "invalid" and "10 bytes of 'a.png' arrived so far" in wrong_offset["message"]
        too_long = await send(frame({"name": "photos", "id": "0", "offset": 10}, b"abc"))
        assert "longer than the 12 bytes declared" in too_long["message"]
        refused = await send(frame({"name": "photos", "id": "1", "offset": 0}, b"MZ!"))
        assert "was refused" in refused["message"]
        big_chunk = await send(frame({"name": "photos", "id": "0", "offset": 10}, b"x" * 11))
        assert "a chunk is at most 10 bytes" in big_chunk["message"]
        unknown = await send(frame({"name": "nope", "id": "0", "offset": 0}, b"x"))
        assert "allows no upload named 'nope'" in unknown["message"]
        garbage = await send(b"\x00")
        assert garbage["code"] == "bad_frame"
        huge = await send(frame({"name": "photos", "id": "0", "offset": 10}, b"x" * 70_000))
        assert huge["code"] == "too_large"
        last = await send(frame({"name": "photos", "id": "0", "offset": 10}, b"ab"))
        assert last["upload"]["received"] == 12
        assert any("a.png 100% done" in p.get("text", "") for p in last["patches"])
        # The file is on disk until the socket goes.
        seen_paths.extend(str(p) for p in tmp_path.glob("djust-upload-*/*"))
        await communicator.disconnect()
        return replies

    with override_settings(DJUST={"MAX_MESSAGE_SIZE": 64 * 1024}):
        asyncio.run(run())
    assert seen_paths, "the chunks were written to a temporary file"
    assert not any(os.path.exists(p) for p in seen_paths), "deleted when the socket closed"
